// The shared rendered copy of a public page for anonymous visitors (see page_cache).
#pragma once
#include "app/app.hpp"
#include "app/web.hpp"

#include <string>
#include <type_traits>

namespace sabor::app {

// Nobody signed in (no session cookie, no Bearer token) and no ?lang= asked for: the page
// is the same for every such visitor of the same address.
inline bool anonymous_request(const http::request& req) {
    return !req.cookie("sabor_session") && req.header("authorization").empty() && !req.query_param("lang");
}

// Answers an anonymous visitor from the cache while nothing was committed since the page
// was rendered; renders otherwise. `render(keep)` may clear `keep`: a page that will change
// with time alone (a release time still ahead), or one made for one visitor, is not kept.
// `render(keep, until)` may instead set `until`: the moment (seconds) the page changes by
// time alone (registration opening); it is kept until then.
template <typename Render>
http::response cached_page(application& a, const http::request& req, Render render) {
    bool keep = true;
    std::int64_t until = 0;
    auto call = [&] {
        if constexpr (std::is_invocable_v<Render&, bool&, std::int64_t&>) return render(keep, until);
        else return render(keep);
    };
    if (!anonymous_request(req)) return call();
    std::string key = pick_lang(a, req) + "|" + req.target;
    if (auto hit = a.cache.get(key)) return *hit;
    auto version = a.cache.version();
    auto r = call();
    if (r.status == 200 && keep) a.cache.put(key, r, version, until);
    return r;
}

}  // namespace sabor::app
