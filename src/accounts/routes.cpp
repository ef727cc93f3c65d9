#include "accounts/routes.hpp"

#include "accounts/admin.hpp"
#include "accounts/repository.hpp"
#include "app/web.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"

#include <memory>

namespace sabor::accounts {
namespace {

// Only local paths, so the login form cannot be used to send people elsewhere. Browsers
// drop tabs and newlines from a Location and read a backslash as a slash ("/\t/evil.example"
// is "//evil.example"): no control character and no backslash anywhere.
std::string safe_next(const std::string& next) {
    if (next.size() < 2 || next[0] != '/' || next[1] == '/') return "/admin";
    for (unsigned char c : next)
        if (c < 0x20 || c == 0x7f || c == '\\') return "/admin";
    return next;
}

// A new CSRF cookie: a signed-in visitor's form tokens are never ones from before the login,
// nor survive the logout (the hidden fields of pages still open elsewhere stop working).
std::string fresh_csrf_cookie(app::application& a) {
    return http::make_cookie("sabor_csrf", util::random_token(24), {.secure = a.cfg.secure_cookies()});
}

http::response login_form(app::application& a, const http::request& req, app::web_ctx& ctx, const std::string& email,
                          const std::string& next, const std::string& error, int status) {
    app::csrf_token(a, req, ctx);
    boost::json::object data{{"title", a.texts.text(ctx.lang, "login_title")}, {"email", email}, {"next", next}};
    if (!error.empty()) data["error"] = error;
    return app::render_page(a, ctx, "login", std::move(data), status);
}

}  // namespace

void register_routes(app::application& a) {
    // Unknown addresses are checked against this hash, so timing does not tell which
    // accounts exist; made at start-up rather than on an I/O thread at the first failed login.
    auto dummy = std::make_shared<const std::string>(util::hash_password("not a real password"));

    a.router.get("/login", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        if (ctx.user) return http::response::redirect("/admin");
        return login_form(a, req, ctx, "", safe_next(req.query_param("next").value_or("/admin")), "", 200);
    });

    a.router.post(
        "/login",
        [&a, dummy](http::request& req) {
            auto ctx = app::page_context(a, req);
            http::fields form;
            if (auto refusal = app::read_form(a, req, form)) return *refusal;
            auto email = app::form_value(form, "email");
            if (!util::valid_utf8(email) || email.size() > 254) email.clear();  // it is shown again
            auto next = safe_next(app::form_value(form, "next"));
            if (!a.login_limiter.allow(req.remote_addr))
                return login_form(a, req, ctx, email, next, a.texts.text(ctx.lang, "login_rate_limited"), 429);
            // Per account as well, whether it exists or not (the answer must not tell).
            auto account = normalise_email(email);
            if (auto wait = a.account_guard.wait(account); wait.count() > 0) {
                auto seconds = std::to_string((wait.count() + 999) / 1000);
                auto r = login_form(a, req, ctx, email, next,
                                    a.texts.text(ctx.lang, "login_account_backoff", {{"seconds", seconds}}), 429);
                r.set_header("Retry-After", seconds);
                return r;
            }

            auto conn = a.db.acquire();
            repository repo(*conn);
            auto user = repo.find_by_email(email);
            bool ok = util::verify_password(user ? repo.password_hash(user->id) : *dummy, app::form_value(form, "password"));
            if (!user || !ok) {
                a.account_guard.failed(account);
                return login_form(a, req, ctx, email, next, a.texts.text(ctx.lang, "login_failed"), 401);
            }
            a.account_guard.succeeded(account);
            if (user->disabled)
                return login_form(a, req, ctx, email, next, a.texts.text(ctx.lang, "login_disabled"), 403);

            auto token = repo.create_session(user->id, 12);
            auto r = http::response::redirect(next);
            for (auto& c : ctx.set_cookies) r.add_header("Set-Cookie", c);
            r.add_header("Set-Cookie", fresh_csrf_cookie(a));
            r.add_header("Set-Cookie", http::make_cookie("sabor_session", token, {.secure = a.cfg.secure_cookies()}));
            return r;
        },
        // argon2 takes tens of milliseconds of a core: never on an I/O thread, where a flood
        // of logins would stall every other request.
        static_cast<std::size_t>(a.cfg.server.form_max_bytes), http::runs::on_workers);

    a.router.post(
        "/logout",
        [&a](http::request& req) {
            http::fields form;
            if (auto refusal = app::read_form(a, req, form)) return *refusal;
            if (auto c = req.cookie("sabor_session")) {
                auto conn = a.db.acquire();
                repository(*conn).delete_session(*c);
            }
            auto r = http::response::redirect("/");
            r.add_header("Set-Cookie", http::make_cookie("sabor_session", "", {.secure = a.cfg.secure_cookies(), .max_age = 0}));
            r.add_header("Set-Cookie", fresh_csrf_cookie(a));
            return r;
        },
        static_cast<std::size_t>(a.cfg.server.form_max_bytes));

    register_admin_routes(a);
}

}  // namespace sabor::accounts
