#include "site/account.hpp"

#include "accounts/repository.hpp"
#include "accounts/security.hpp"
#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "storage/audit_log.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"

#include <boost/json.hpp>

namespace sabor::site {
namespace {

using app::access;
using app::call;
namespace json = boost::json;

std::string text(call& c, const char* key) { return c.app.texts.text(c.lang(), key); }

http::response account_page(call& c, const std::string& error, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    const auto& u = c.user();
    json::object data{{"title", text(c, "account_title")}, {"name", u.name}, {"email", u.email}};
    auto notice = c.req.query_param("notice").value_or("");
    if (notice == "password_changed") data["notice"] = text(c, "account_password_changed");
    if (!error.empty()) data["error"] = error;
    return c.page("account", std::move(data), status);
}

http::response show(call& c) { return account_page(c, "", 200); }

// On the worker pool: two argon2 runs (the current password checked, the new one hashed).
http::response change_password(call& c) {
    auto& a = c.app;
    const auto& u = c.user();
    auto account = accounts::normalise_email(u.email);
    if (auto wait = a.account_guard.wait(account); wait.count() > 0)
        return account_page(c, a.texts.text(c.lang(), "login_account_backoff", {{"seconds", accounts::whole_seconds(wait)}}), 429);
    accounts::repository repo(c.db());
    if (!util::verify_password(repo.password_hash(u.id), app::form_value(c.form, "current_password"))) {
        a.account_guard.failed(account);  // guessing the current password is guessing a login
        return account_page(c, text(c, "account_error_current"), 422);
    }
    a.account_guard.succeeded(account);
    auto password = app::form_value(c.form, "password");
    if (!accounts::acceptable_password(password))
        return account_page(c, text(c, "reset_error_short"), 422);
    if (password != app::form_value(c.form, "password_again")) return account_page(c, text(c, "reset_error_mismatch"), 422);
    auto hash = util::hash_password(password);
    storage::transaction tx(c.db());
    repo.set_password(u.id, hash);  // ends every session, this one too
    auto session = repo.create_session(u.id, 12);  // this browser stays signed in
    storage::audit(c.db(), u.id, "account.password_changed", 0, u.id, "");
    tx.commit();
    auto r = http::response::redirect("/account?notice=password_changed");
    r.add_header("Set-Cookie", http::make_cookie("sabor_session", session, {.secure = a.cfg.secure_cookies()}));
    return r;
}

http::response sign_out_everywhere(call& c) {
    storage::transaction tx(c.db());
    accounts::repository(c.db()).end_sessions(c.user().id);
    storage::audit(c.db(), c.user().id, "account.signed_out_everywhere", 0, c.user().id, "");
    tx.commit();
    auto r = http::response::redirect("/login");
    r.add_header("Set-Cookie", http::make_cookie("sabor_session", "", {.secure = c.app.cfg.secure_cookies(), .max_age = 0}));
    return r;
}

}  // namespace

void register_account_routes(app::application& a) {
    using app::route;
    route(a, "GET", "/account").allow(access::organiser).handle(show);
    route(a, "POST", "/account/password").allow(access::organiser).form(4096).on_workers().handle(change_password);
    route(a, "POST", "/account/sign-out-everywhere").allow(access::organiser).form(1024).handle(sign_out_everywhere);
}

}  // namespace sabor::site
