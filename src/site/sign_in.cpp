#include "site/sign_in.hpp"

#include "accounts/repository.hpp"
#include "accounts/security.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"

#include <memory>

namespace sabor::site {

using accounts::repository;
using accounts::user;
using accounts::normalise_email;
namespace {

using app::access;
using app::call;

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

http::response login_form(call& c, const std::string& email, const std::string& next, const std::string& error,
                          int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    boost::json::object data{{"title", c.app.texts.text(c.lang(), "login_title")}, {"email", email}, {"next", next}};
    if (!error.empty()) data["error"] = error;
    return c.page("login", std::move(data), status);
}

http::response login_page(call& c) {
    if (c.visitor()) return http::response::redirect("/admin");
    return login_form(c, "", safe_next(c.req.query_param("next").value_or("/admin")), "", 200);
}

// `dummy`: unknown addresses are checked against this hash, so timing does not tell which
// accounts exist.
http::response login(call& c, const std::string& dummy) {
    auto& a = c.app;
    auto email = app::form_value(c.form, "email");
    if (!util::valid_utf8(email) || email.size() > 254) email.clear();  // it is shown again
    auto next = safe_next(app::form_value(c.form, "next"));
    if (!a.login_limiter.allow(c.req.remote_addr))
        return login_form(c, email, next, a.texts.text(c.lang(), "login_rate_limited"), 429);
    // Per account as well, whether it exists or not (the answer must not tell).
    auto account = normalise_email(email);
    if (auto wait = a.account_guard.wait(account); wait.count() > 0) {
        auto seconds = accounts::whole_seconds(wait);
        auto r = login_form(c, email, next, a.texts.text(c.lang(), "login_account_backoff", {{"seconds", seconds}}), 429);
        r.set_header("Retry-After", seconds);
        return r;
    }

    repository repo(c.db());
    auto user = repo.find_by_email(email);
    bool ok = util::verify_password(user ? repo.password_hash(user->id) : dummy, app::form_value(c.form, "password"));
    if (!user || !ok) {
        a.account_guard.failed(account);
        return login_form(c, email, next, a.texts.text(c.lang(), "login_failed"), 401);
    }
    a.account_guard.succeeded(account);
    if (user->disabled) return login_form(c, email, next, a.texts.text(c.lang(), "login_disabled"), 403);

    auto token = repo.create_session(user->id, 12);
    auto r = http::response::redirect(next);
    for (auto& cookie : c.ctx.set_cookies) r.add_header("Set-Cookie", cookie);
    r.add_header("Set-Cookie", fresh_csrf_cookie(a));
    r.add_header("Set-Cookie", http::make_cookie("sabor_session", token, {.secure = a.cfg.secure_cookies()}));
    return r;
}

http::response logout(call& c) {
    if (auto session = c.req.cookie("sabor_session")) repository(c.db()).delete_session(*session);
    auto r = http::response::redirect("/");
    r.add_header("Set-Cookie", http::make_cookie("sabor_session", "", {.secure = c.app.cfg.secure_cookies(), .max_age = 0}));
    r.add_header("Set-Cookie", fresh_csrf_cookie(c.app));
    return r;
}

}  // namespace

void register_sign_in_routes(app::application& a) {
    using app::route;
    // Made at start-up rather than on a worker at the first failed login.
    auto dummy = std::make_shared<const std::string>(util::hash_password("not a real password"));

    route(a, "GET", "/login").allow(access::anyone).handle(login_page);
    // argon2 takes tens of milliseconds of a core: never on an I/O thread, where a flood
    // of logins would stall every other request.
    route(a, "POST", "/login").allow(access::anyone).form().on_workers().handle([dummy](call& c) {
        return login(c, *dummy);
    });
    route(a, "POST", "/logout").allow(access::anyone).form().handle(logout);

}

}  // namespace sabor::site
