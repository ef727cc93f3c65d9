// Admins' pages of accounts: /admin/users (every account) and /admin/users/{id} (disable or
// enable it, set a new password, its API tokens: create with an expiry, revoke).
#include "site/users.hpp"

#include "accounts/repository.hpp"
#include "accounts/security.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <algorithm>

namespace sabor::site {

using accounts::repository;
using accounts::user;
namespace {

using app::access;
using app::call;
namespace json = boost::json;

// A stored UTC time in the site's time zone and the visitor's language, or `otherwise`.
std::string shown(call& c, const std::string& when, const std::string& otherwise) {
    auto t = view::parse_stored_utc(when);
    return t ? view::format_date_time(*t, c.app.cfg.i18n.timezone, c.lang()) : otherwise;
}

std::string text(call& c, const char* key) { return c.app.texts.text(c.lang(), key); }

http::response users_page(call& c) {
    auto& a = c.app;
    json::array items;
    for (const auto& r : repository(c.db()).list_users())
        items.push_back(json::object{{"id", r.u.id},
                                     {"email", r.u.email},
                                     {"name", r.u.name},
                                     {"role", a.texts.text(c.lang(), "users_role_" + r.u.role)},
                                     {"disabled", r.u.disabled},
                                     {"created_at", r.created_at},
                                     {"tokens", r.tokens}});
    json::object data{{"title", text(c, "users_title")}, {"users", std::move(items)}};
    return c.page("admin/users", std::move(data));
}

// The page of one account; `extra` adds a notice, an error or a new token.
http::response user_page(call& c, const user& u, json::object extra = {}, int status = 200) {
    auto& a = c.app;
    app::csrf_token(a, c.req, c.ctx);
    repository repo(c.db());
    json::array tokens;
    auto never = text(c, "users_never");
    for (const auto& t : repo.api_tokens(u.id))
        tokens.push_back(json::object{{"id", t.id},
                                      {"user_id", t.user_id},
                                      {"created_at", shown(c, t.created_at, "")},
                                      {"expires_at", shown(c, t.expires_at, never)},
                                      {"last_used_at", shown(c, t.last_used_at, text(c, "users_not_known"))}});
    bool no_tokens = tokens.empty();
    json::object data{{"title", u.name},
                      {"account", json::object{{"id", u.id},
                                               {"email", u.email},
                                               {"name", u.name},
                                               {"role", a.texts.text(c.lang(), "users_role_" + u.role)},
                                               {"disabled", u.disabled},
                                               {"self", c.user().id == u.id}}},
                      {"tokens", std::move(tokens)},
                      {"no_tokens", no_tokens}};
    for (auto& [k, v] : extra) data[k] = v;
    return c.page("admin/user", std::move(data), status);
}

// The account the path names ({id}), or nothing.
std::optional<user> account_in_path(call& c) {
    auto id = app::to_id(c.req.param("id"));
    return id ? repository(c.db()).find_by_id(*id) : std::nullopt;
}

std::string done_url(const user& u, std::string_view what) {
    return "/admin/users/" + std::to_string(u.id) + "?done=" + std::string(what);
}

http::response user_view(call& c) {
    auto u = account_in_path(c);
    if (!u) return c.error(404, "not_found");
    json::object extra;
    static const std::vector<std::string> notices{"disabled", "enabled", "password", "revoked"};
    if (auto n = c.req.query_param("done"); n && std::find(notices.begin(), notices.end(), *n) != notices.end())
        extra["notice"] = c.app.texts.text(c.lang(), "users_done_" + *n);
    return user_page(c, *u, std::move(extra));
}

http::response set_state(call& c) {
    storage::transaction tx(c.db());
    auto u = account_in_path(c);
    if (!u) return c.error(404, "not_found");
    auto what = app::form_value(c.form, "action");
    repository repo(c.db());
    if (what == "disable") {
        // An admin cannot shut themselves out (and perhaps the last admin with them).
        if (c.user().id == u->id) return user_page(c, *u, {{"error", text(c, "users_cannot_disable_self")}}, 422);
        repo.disable_user(u->id);
    } else if (what == "enable") {
        repo.enable_user(u->id);
    } else {
        return c.error(400, "bad_form");
    }
    tx.commit();
    return http::response::redirect(done_url(*u, what + "d"));
}

http::response set_password(call& c) {
    auto u = account_in_path(c);
    if (!u) return c.error(404, "not_found");
    auto password = app::form_value(c.form, "password");
    if (!accounts::acceptable_password(password))
        return user_page(c, *u, {{"error", text(c, "users_password_short")}}, 422);
    auto hash = util::hash_password(password);  // before the write lock is taken
    storage::transaction tx(c.db());
    repository(c.db()).set_password(u->id, hash);
    tx.commit();
    // Setting one's own password ends one's own session too: sign in again.
    return http::response::redirect(done_url(*u, "password"));
}

http::response create_token(call& c) {
    storage::transaction tx(c.db());
    auto u = account_in_path(c);
    if (!u) return c.error(404, "not_found");
    if (u->disabled) return user_page(c, *u, {{"error", text(c, "users_token_disabled")}}, 422);
    auto days_text = app::form_value(c.form, "days");
    int days = 0;
    if (!days_text.empty()) {
        auto n = app::to_id(days_text);
        if (!n || *n > 3650) return user_page(c, *u, {{"error", text(c, "users_days_invalid")}}, 422);
        days = static_cast<int>(*n);
    }
    auto token = repository(c.db()).create_api_token(u->id, days);
    tx.commit();
    // Shown once, in this answer: only its hash is kept.
    auto r = user_page(c, *u, {{"new_token", token}, {"notice", text(c, "users_token_created_notice")}});
    r.set_header("Cache-Control", "no-store");
    return r;
}

http::response revoke_token(call& c) {
    storage::transaction tx(c.db());
    auto u = account_in_path(c);
    if (!u) return c.error(404, "not_found");
    repository repo(c.db());
    auto id = app::to_id(c.req.param("token"));
    auto info = id ? repo.find_api_token(*id) : std::nullopt;
    if (!info || info->user_id != u->id) return c.error(404, "not_found");
    repo.revoke_api_token(info->id);
    tx.commit();
    return http::response::redirect(done_url(*u, "revoked"));
}

}  // namespace

void register_user_routes(app::application& a) {
    using app::route;
    route(a, "GET", "/admin/users").allow(access::admin).handle(users_page);
    route(a, "GET", "/admin/users/{id}").allow(access::admin).handle(user_view);
    route(a, "POST", "/admin/users/{id}/state").allow(access::admin).form().handle(set_state);
    route(a, "POST", "/admin/users/{id}/password").allow(access::admin).form().on_workers().handle(set_password);  // argon2
    route(a, "POST", "/admin/users/{id}/tokens").allow(access::admin).form().handle(create_token);
    route(a, "POST", "/admin/users/{id}/tokens/{token}/revoke").allow(access::admin).form().handle(revoke_token);
}

}  // namespace sabor::site
