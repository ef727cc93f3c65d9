// Admins' pages of accounts: /admin/users (every account) and /admin/users/{id} (disable or
// enable it, set a new password, its API tokens: create with an expiry, revoke).
#include "accounts/admin.hpp"

#include "accounts/repository.hpp"
#include "app/web.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <algorithm>

namespace sabor::accounts {
namespace {

using app::application;
namespace json = boost::json;

// The signed-in admin, or the answer to give (sign in first; anyone else: 403).
std::optional<http::response> refuse_non_admin(application& a, http::request& req, app::web_ctx& ctx) {
    if (!ctx.user) return http::response::redirect("/login?next=" + req.path);
    if (!ctx.user->is_admin()) return app::error_response(a, req, 403, "admin_only");
    return std::nullopt;
}

// A stored UTC time in the site's time zone and the visitor's language, or `otherwise`.
std::string shown(application& a, const app::web_ctx& ctx, const std::string& when, const std::string& otherwise) {
    auto t = view::parse_stored_utc(when);
    return t ? view::format_date_time(*t, a.cfg.i18n.timezone, ctx.lang) : otherwise;
}

http::response users_page(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    if (auto r = refuse_non_admin(a, req, ctx)) return *r;
    auto conn = a.db.acquire();
    json::array items;
    for (const auto& r : repository(*conn).list_users())
        items.push_back(json::object{{"id", r.u.id},
                                     {"email", r.u.email},
                                     {"name", r.u.name},
                                     {"role", a.texts.text(ctx.lang, "users_role_" + r.u.role)},
                                     {"disabled", r.u.disabled},
                                     {"created_at", r.created_at},
                                     {"tokens", r.tokens}});
    json::object data{{"title", a.texts.text(ctx.lang, "users_title")}, {"users", std::move(items)}};
    return app::render_page(a, ctx, "admin/users", std::move(data));
}

// The page of one account; `extra` adds a notice, an error or a new token.
http::response user_page(application& a, http::request& req, app::web_ctx& ctx, storage::database& db, const user& u,
                         json::object extra = {}, int status = 200) {
    app::csrf_token(a, req, ctx);
    repository repo(db);
    json::array tokens;
    auto never = a.texts.text(ctx.lang, "users_never");
    for (const auto& t : repo.api_tokens(u.id))
        tokens.push_back(json::object{{"id", t.id},
                                      {"user_id", t.user_id},
                                      {"created_at", shown(a, ctx, t.created_at, "")},
                                      {"expires_at", shown(a, ctx, t.expires_at, never)},
                                      {"last_used_at", shown(a, ctx, t.last_used_at, a.texts.text(ctx.lang, "users_not_known"))}});
    bool no_tokens = tokens.empty();
    json::object data{{"title", u.name},
                      {"account", json::object{{"id", u.id},
                                               {"email", u.email},
                                               {"name", u.name},
                                               {"role", a.texts.text(ctx.lang, "users_role_" + u.role)},
                                               {"disabled", u.disabled},
                                               {"self", ctx.user && ctx.user->id == u.id}}},
                      {"tokens", std::move(tokens)},
                      {"no_tokens", no_tokens}};
    for (auto& [k, v] : extra) data[k] = v;
    return app::render_page(a, ctx, "admin/user", std::move(data), status);
}

// Shared by the account's POST actions: admin, CSRF, the account in the path.
struct target {
    std::optional<http::response> refusal;
    app::web_ctx ctx;
    http::fields form;
    user u;
};
target load(application& a, http::request& req, storage::database& db) {
    target t;
    t.ctx = app::page_context(a, req);
    if (auto r = refuse_non_admin(a, req, t.ctx)) {
        t.refusal = std::move(r);
        return t;
    }
    if (auto r = app::read_form(a, req, t.form)) {
        t.refusal = std::move(r);
        return t;
    }
    auto id = app::to_id(req.param("id"));
    auto u = id ? repository(db).find_by_id(*id) : std::nullopt;
    if (!u) {
        t.refusal = app::error_response(a, req, 404, "not_found");
        return t;
    }
    t.u = std::move(*u);
    return t;
}

std::string notice(application& a, const app::web_ctx& ctx, const char* key) { return a.texts.text(ctx.lang, key); }

}  // namespace

void register_admin_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);

    a.router.get("/admin/users", [&a](http::request& req) { return users_page(a, req); });

    a.router.get("/admin/users/{id}", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        if (auto r = refuse_non_admin(a, req, ctx)) return *r;
        auto conn = a.db.acquire();
        auto id = app::to_id(req.param("id"));
        auto u = id ? repository(*conn).find_by_id(*id) : std::nullopt;
        if (!u) return app::error_response(a, req, 404, "not_found");
        json::object extra;
        static const std::vector<std::string> notices{"disabled", "enabled", "password", "revoked"};
        if (auto n = req.query_param("done"); n && std::find(notices.begin(), notices.end(), *n) != notices.end())
            extra["notice"] = a.texts.text(ctx.lang, "users_done_" + *n);
        return user_page(a, req, ctx, *conn, *u, std::move(extra));
    });

    a.router.post("/admin/users/{id}/state", [&a](http::request& req) {
        auto conn = a.db.acquire();
        storage::transaction tx(*conn);
        auto t = load(a, req, *conn);
        if (t.refusal) return *t.refusal;
        auto what = app::form_value(t.form, "action");
        repository repo(*conn);
        if (what == "disable") {
            // An admin cannot shut themselves out (and perhaps the last admin with them).
            if (t.ctx.user->id == t.u.id)
                return user_page(a, req, t.ctx, *conn, t.u, {{"error", notice(a, t.ctx, "users_cannot_disable_self")}}, 422);
            repo.disable_user(t.u.id);
        } else if (what == "enable") {
            repo.enable_user(t.u.id);
        } else {
            return app::error_response(a, req, 400, "bad_form");
        }
        tx.commit();
        return http::response::redirect("/admin/users/" + std::to_string(t.u.id) + "?done=" + what + "d");
    }, form_limit);

    a.router.post("/admin/users/{id}/password", [&a](http::request& req) {
        auto conn = a.db.acquire();
        auto t = load(a, req, *conn);
        if (t.refusal) return *t.refusal;
        auto password = app::form_value(t.form, "password");
        if (!util::valid_utf8(password) || util::utf8_length(password) < 8 || password.size() > 1000)
            return user_page(a, req, t.ctx, *conn, t.u, {{"error", notice(a, t.ctx, "users_password_short")}}, 422);
        auto hash = util::hash_password(password);  // before the write lock is taken
        storage::transaction tx(*conn);
        repository(*conn).set_password(t.u.id, hash);
        tx.commit();
        // Setting one's own password ends one's own session too: sign in again.
        return http::response::redirect("/admin/users/" + std::to_string(t.u.id) + "?done=password");
    }, form_limit, http::runs::on_workers);  // argon2: never on an I/O thread

    a.router.post("/admin/users/{id}/tokens", [&a](http::request& req) {
        auto conn = a.db.acquire();
        storage::transaction tx(*conn);
        auto t = load(a, req, *conn);
        if (t.refusal) return *t.refusal;
        if (t.u.disabled)
            return user_page(a, req, t.ctx, *conn, t.u, {{"error", notice(a, t.ctx, "users_token_disabled")}}, 422);
        auto days_text = app::form_value(t.form, "days");
        int days = 0;
        if (!days_text.empty()) {
            auto n = app::to_id(days_text);
            if (!n || *n > 3650)
                return user_page(a, req, t.ctx, *conn, t.u, {{"error", notice(a, t.ctx, "users_days_invalid")}}, 422);
            days = static_cast<int>(*n);
        }
        auto token = repository(*conn).create_api_token(t.u.id, days);
        tx.commit();
        // Shown once, in this answer: only its hash is kept.
        auto r = user_page(a, req, t.ctx, *conn, t.u, {{"new_token", token}, {"notice", notice(a, t.ctx, "users_token_created_notice")}});
        r.set_header("Cache-Control", "no-store");
        return r;
    }, form_limit);

    a.router.post("/admin/users/{id}/tokens/{token}/revoke", [&a](http::request& req) {
        auto conn = a.db.acquire();
        storage::transaction tx(*conn);
        auto t = load(a, req, *conn);
        if (t.refusal) return *t.refusal;
        repository repo(*conn);
        auto id = app::to_id(req.param("token"));
        auto info = id ? repo.find_api_token(*id) : std::nullopt;
        if (!info || info->user_id != t.u.id) return app::error_response(a, req, 404, "not_found");
        repo.revoke_api_token(info->id);
        tx.commit();
        return http::response::redirect("/admin/users/" + std::to_string(t.u.id) + "?done=revoked");
    }, form_limit);
}

}  // namespace sabor::accounts
