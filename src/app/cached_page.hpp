// The shared rendered copy of a public page for anonymous visitors (see page_cache).
#pragma once
#include "app/app.hpp"
#include "app/web.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace sabor::app {

// Nobody signed in and no ?lang= asked for: the page is the same for every such visitor of
// the same address. A session cookie or token that names no account (expired, forged) makes
// no difference to the page, so it counts as anonymous too.
inline bool anonymous_request(application& a, const http::request& req) {
    if (req.query_param("lang")) return false;
    if (!req.cookie("sabor_session") && req.header("authorization").empty()) return true;
    return !request_user(a, req);
}

// The cache key: language, path, and only the query parameters the page reads (`uses`, in
// that order), so ?utm_source= and the like do not make a new copy of the same page.
template <typename Names = std::initializer_list<std::string_view>>
inline std::string page_key(const std::string& lang, const http::request& req, const Names& uses) {
    std::string key = lang + "|" + req.path;
    for (auto name : uses)
        if (auto v = req.query_param(name)) key.append("|").append(name).append("=").append(*v);
    return key;
}

// Answers an anonymous visitor from the cache while nothing was committed since the page
// was rendered; renders otherwise. `uses` names every query parameter the render reads: a
// parameter left out would be served another visitor's page. `render(keep)` may clear `keep`:
// a page that will change with time alone (a release time still ahead), or one made for one
// visitor, is not kept. `render(keep, until)` may instead set `until`: the moment (seconds)
// the page changes by time alone (registration opening); it is kept until then.
template <typename Render>
http::response cached_page(application& a, const http::request& req, std::initializer_list<std::string_view> uses,
                           Render render) {
    bool keep = true;
    std::int64_t until = 0;
    auto call = [&] {
        if constexpr (std::is_invocable_v<Render&, bool&, std::int64_t&>) return render(keep, until);
        else return render(keep);
    };
    if (!anonymous_request(a, req)) return call();
    std::string key = page_key(pick_lang(a, req), req, uses);
    if (auto hit = a.cache.get(key)) return *hit;
    auto version = a.cache.version();
    auto r = call();
    if (r.status == 200 && keep) a.cache.put(key, r, version, until);
    return r;
}

}  // namespace sabor::app
