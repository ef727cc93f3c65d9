#include "site/audit_log.hpp"

#include "accounts/repository.hpp"
#include "app/routes.hpp"
#include "storage/audit_log.hpp"
#include "app/web.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace sabor::site {

using accounts::repository;
using accounts::user;
namespace json = boost::json;
using app::access;
using app::application;
using app::call;

namespace {

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

std::string local_time(const std::string& stored, const std::string& tz) {
    auto t = view::parse_stored_utc(stored);
    if (!t) return stored;
    auto s = view::format_iso_local(*t, tz).substr(0, 16);
    if (s.size() > 10) s[10] = ' ';
    return s;
}

// The filters as asked: ?event_id= (a number), ?actor= (a user's id or e-mail), ?since= (a
// date "2031-05-20" or an ISO 8601 time, "2031-05-20T10:00:00+03:00"). The message key of the
// first bad one, or nothing.
std::optional<std::string> read_filter(storage::database& db, const http::request& req, storage::audit_filter& f,
                                       std::string& bad_field) {
    if (auto v = req.query_param("event_id"); v && !v->empty()) {
        auto id = app::to_id(*v);
        if (!id) return bad_field = "event_id", "error_unknown_value";
        f.event_id = *id;
    }
    if (auto v = req.query_param("actor"); v && !v->empty()) {
        if (auto id = app::to_id(*v)) {
            f.actor = *id;
        } else {
            auto u = util::valid_utf8(*v) ? accounts::repository(db).find_by_email(*v) : std::nullopt;
            if (!u) return bad_field = "actor", "error_unknown_value";
            f.actor = u->id;
        }
    }
    if (auto v = req.query_param("since"); v && !v->empty()) {
        std::string s = *v;
        if (s.size() == 10) s += "T00:00:00Z";
        auto t = view::parse_iso8601(s);
        if (!t) return bad_field = "since", "error_bad_date";
        f.since = view::format_iso_utc(*t);
        f.since.pop_back();  // without the "Z": stored times carry a fraction before it
    }
    return std::nullopt;
}

json::object entry_json(const storage::audit_entry& e) {
    json::value actor = nullptr;
    if (e.user_id) actor = json::object{{"id", *e.user_id}, {"name", e.user_name}, {"email", e.user_email}};
    json::value event = nullptr, subject = nullptr;
    if (e.event_id) event = e.event_id;
    if (e.subject_id) subject = e.subject_id;
    return json::object{{"id", e.id},          {"at", e.at},           {"actor", std::move(actor)},
                        {"action", e.action},  {"event_id", event},    {"subject_id", subject},
                        {"detail", e.detail}};
}

http::response api_list(call& c) {
    const auto& lang = c.lang();
    storage::audit_filter f;
    std::string field;
    if (auto bad = read_filter(c.db(), c.req, f, field))
        return app::json_error(422, "validation", c.app.texts.text(lang, *bad), {{field, c.app.texts.text(lang, *bad)}});
    std::int64_t total = 0;
    json::array items;
    for (const auto& e : storage::audit_entries(c.db(), f, app::query_int(c.req, "limit", 100, 1, 1000),
                                       app::query_int(c.req, "offset", 0, 0, 1'000'000'000), &total))
        items.push_back(entry_json(e));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

// What was done, in words where the catalogs have them (registration actions share the
// labels of a registration's own page); the stored code otherwise.
std::string action_label(application& a, const std::string& lang, const std::string& action) {
    std::string key = "audit_action_" + action;
    std::replace(key.begin(), key.end(), '.', '_');
    if (a.texts.has(lang, key)) return a.texts.text(lang, key);
    if (action.rfind("registration.", 0) == 0) {
        std::string own = "record_action_" + action.substr(13);
        if (a.texts.has(lang, own)) return a.texts.text(lang, own);
    }
    return action;
}

http::response page(call& c) {
    auto& a = c.app;
    auto& req = c.req;
    const auto& lang = c.lang();
    storage::audit_filter f;
    std::string field, error;
    if (auto bad = read_filter(c.db(), req, f, field)) error = a.texts.text(lang, *bad);
    constexpr std::int64_t page_size = 100;
    auto offset = app::query_int(req, "offset", 0, 0, 1'000'000'000);
    std::int64_t total = 0;
    json::array rows;
    if (error.empty())
        for (const auto& e : storage::audit_entries(c.db(), f, page_size, offset, &total)) {
            rows.push_back(json::object{
                {"at", local_time(e.at, a.cfg.i18n.timezone)},
                {"who", e.user_id ? (e.user_name.empty() ? e.user_email : e.user_name)
                                  : a.texts.text(lang, "audit_no_account")},
                {"action", action_label(a, lang, e.action)},
                {"code", e.action},
                {"event_id", e.event_id ? std::to_string(e.event_id) : std::string()},
                {"subject_id", e.subject_id ? std::to_string(e.subject_id) : std::string()},
                {"detail", e.detail}});
        }
    // The filters again, as typed (escaped by the template), for the form and the next page's link.
    auto typed = [&](const char* k) {
        auto v = req.query_param(k).value_or("");
        return util::valid_utf8(v) ? v : std::string();
    };
    std::string query = "event_id=" + url_encode(typed("event_id")) + "&actor=" + url_encode(typed("actor")) +
                        "&since=" + url_encode(typed("since"));
    json::object data{{"title", a.texts.text(lang, "audit_title")},
                      {"rows", std::move(rows)},
                      {"empty", total == 0},
                      {"total", total},
                      {"f_event_id", typed("event_id")},
                      {"f_actor", typed("actor")},
                      {"f_since", typed("since")}};
    if (offset + page_size < total)
        data["next_url"] = "/admin/audit?" + query + "&offset=" + std::to_string(offset + page_size);
    if (offset > 0)
        data["prev_url"] = "/admin/audit?" + query + "&offset=" + std::to_string(std::max<std::int64_t>(0, offset - page_size));
    if (!error.empty()) data["error"] = error;
    return c.page("admin/audit", std::move(data), error.empty() ? 200 : 422);
}

}  // namespace

void register_audit_routes(application& a) {
    using app::route;
    route(a, "GET", "/api/v1/audit").allow(access::admin).handle(api_list);
    route(a, "GET", "/admin/audit").allow(access::admin).handle(page);
}

}  // namespace sabor::site
