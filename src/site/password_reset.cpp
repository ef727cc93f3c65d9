#include "site/password_reset.hpp"

#include "accounts/repository.hpp"
#include "accounts/security.hpp"
#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "mail/composer.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::site {
namespace {

using app::access;
using app::call;
namespace json = boost::json;

constexpr std::int64_t link_lifetime_seconds = 3600;
// At most one link a few minutes to an account: the form may be sent for anyone's address.
constexpr std::int64_t seconds_between_links = 300;

std::string text(call& c, const char* key) { return c.app.texts.text(c.lang(), key); }

std::optional<std::int64_t> account_of_link(storage::database& db, std::string_view token) {
    if (token.size() > 200) return std::nullopt;
    return accounts::repository(db).reset_user(util::token_hash(token), util::format_iso_utc(util::now_seconds()));
}

http::response forgot_form(call& c, const std::string& email, const std::string& error, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    json::object data{{"title", text(c, "reset_forgot_title")}, {"email", email}};
    if (!error.empty()) data["error"] = error;
    return c.page("password_forgot", std::move(data), status);
}

http::response forgot_page(call& c) { return forgot_form(c, "", "", 200); }

http::response forgot_send(call& c) {
    auto& a = c.app;
    auto email = app::form_value(c.form, "email");
    if (!util::valid_utf8(email) || email.size() > 254) email.clear();
    if (!a.login_limiter.allow(c.req.remote_addr)) return forgot_form(c, email, text(c, "login_rate_limited"), 429);
    if (!accounts::plausible_email(accounts::normalise_email(email)))
        return forgot_form(c, email, text(c, "reset_error_email"), 422);
    auto now = util::now_seconds();
    storage::transaction tx(c.db());
    accounts::repository repo(c.db());
    auto user = repo.find_by_email(email);
    auto last = user ? repo.last_reset_at(user->id) : std::nullopt;
    auto last_at = last ? util::parse_stored_utc(*last) : std::nullopt;
    if (user && !user->disabled && !(last_at && now - *last_at < seconds_between_links)) {
        auto token = util::random_token(24);
        repo.create_reset(user->id, util::token_hash(token), util::format_iso_utc(now),
                          util::format_iso_utc(now + link_lifetime_seconds));
        mail::outgoing o;
        o.kind = "password_reset";
        o.locale = c.lang();
        o.to_address = user->email;
        o.to_name = user->name;
        o.data = json::object{{"name", user->name},
                              {"reset_url", a.cfg.public_base() + "/password/reset/" + token},
                              {"expires_when", view::format_date_time(now + link_lifetime_seconds, a.cfg.i18n.timezone, c.lang())}};
        a.mail.enqueue(c.db(), o);
    }
    tx.commit();
    // The same page for every address (see the header).
    app::csrf_token(a, c.req, c.ctx);
    return c.page("password_forgot", json::object{{"title", text(c, "reset_forgot_title")}, {"sent", true}});
}

http::response reset_form(call& c, const std::string& error, int status) {
    app::csrf_token(c.app, c.req, c.ctx);
    json::object data{{"title", text(c, "reset_title")},
                      {"action", "/password/reset/" + std::string(c.req.param("token"))}};
    if (auto u = accounts::repository(c.db()).find_by_id(c.object_id)) data["email"] = u->email;
    if (!error.empty()) data["error"] = error;
    auto r = c.page("password_reset", std::move(data), status);
    r.set_header("Cache-Control", "no-store");
    return r;
}

http::response reset_page(call& c) { return reset_form(c, "", 200); }

// On the worker pool: argon2 takes tens of milliseconds of a core.
http::response reset_save(call& c) {
    auto password = app::form_value(c.form, "password");
    if (!accounts::acceptable_password(password))
        return reset_form(c, text(c, "reset_error_short"), 422);
    if (password != app::form_value(c.form, "password_again")) return reset_form(c, text(c, "reset_error_mismatch"), 422);
    auto hash = util::hash_password(password);
    auto token_hash = util::token_hash(c.req.param("token"));
    storage::transaction tx(c.db());
    accounts::repository repo(c.db());
    // Used or expired since the page was opened (another tab, an hour later): refused as unknown.
    if (!repo.use_reset(token_hash, util::format_iso_utc(util::now_seconds()))) return c.error(404, "reset_invalid");
    repo.set_password(c.object_id, hash);  // also ends every session of the account
    tx.commit();
    auto r = c.page("password_reset", json::object{{"title", text(c, "reset_title")}, {"done", true}});
    r.set_header("Cache-Control", "no-store");
    return r;
}

}  // namespace

void register_password_reset_routes(app::application& a) {
    using app::route;
    route(a, "GET", "/password/forgot").allow(access::anyone).handle(forgot_page);
    route(a, "POST", "/password/forgot").allow(access::anyone).form(4096).handle(forgot_send);
    route(a, "GET", "/password/reset/{token}").allow(access::personal_link).link("token", account_of_link, "reset_invalid")
        .handle(reset_page);
    route(a, "POST", "/password/reset/{token}").allow(access::personal_link).link("token", account_of_link, "reset_invalid")
        .form(4096).on_workers().handle(reset_save);
}

}  // namespace sabor::site
