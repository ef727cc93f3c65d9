#include "accounts/routes.hpp"

#include "accounts/repository.hpp"
#include "app/web.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"

#include <memory>

namespace sabor::accounts {
namespace {

// Only local paths, so the login form cannot be used to send people elsewhere.
std::string safe_next(const std::string& next) {
    if (next.size() > 1 && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
        next.find_first_of("\r\n") == std::string::npos)
        return next;
    return "/admin";
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

            auto conn = a.db.acquire();
            repository repo(*conn);
            auto user = repo.find_by_email(email);
            bool ok = util::verify_password(user ? repo.password_hash(user->id) : *dummy, app::form_value(form, "password"));
            if (!user || !ok)
                return login_form(a, req, ctx, email, next, a.texts.text(ctx.lang, "login_failed"), 401);

            auto token = repo.create_session(user->id, 12);
            auto r = http::response::redirect(next);
            for (auto& c : ctx.set_cookies) r.add_header("Set-Cookie", c);
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
            return r;
        },
        static_cast<std::size_t>(a.cfg.server.form_max_bytes));
}

}  // namespace sabor::accounts
