#include "registration/verification_routes.hpp"

#include "app/routes.hpp"
#include "events/repository.hpp"
#include "registration/form.hpp"
#include "registration/repository.hpp"
#include "registration/verification.hpp"
#include "util/clock.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;

http::response sent_page(application& a, app::web_ctx& ctx, const events::event& e, const std::string& email,
                         std::int64_t expires_at) {
    json::object data{{"title", a.texts.text(ctx.lang, "verify_sent_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"email", email},
                      {"expires_when", view::format_date_time(expires_at, e.timezone, ctx.lang)}};
    return app::render_page(a, ctx, "registration/verify_sent", std::move(data), 200);
}

// The link's finder let through only a token that names a request; an expired one answers 410 here.
http::response verify_page(call& c) {
    auto& a = c.app;
    auto token = std::string(c.req.param("token"));
    auto p = find_request(c.db(), token, util::now_seconds());
    if (p.what == pending::expired) return c.error(410, "verify_expired");
    auto e = p.what == pending::found ? events::repository(c.db()).find(p.event_id) : std::nullopt;
    if (!e) return c.error(404, "bad_link");
    app::csrf_token(a, c.req, c.ctx);
    json::object data{{"title", a.texts.text(c.lang(), "verify_title") + ": " + e->title},
                      {"event", events::to_view(*e, a.texts, c.lang())},
                      {"name", p.in.name},
                      {"email", p.in.email},
                      {"expires_when", view::format_date_time(p.expires_at, e->timezone, c.lang())},
                      {"action", "/v/" + token}};
    return c.page("registration/verify", std::move(data));
}

http::response verify(call& c) {
    auto& a = c.app;
    context ctx{c.db(), a.mail, a.cfg.public_base(), a.secret};
    auto r = confirm_request(ctx, std::string(c.req.param("token")), util::now_seconds());
    if (r.what == pending::expired) return c.error(410, "verify_expired");
    if (r.what == pending::unknown) return c.error(404, "bad_link");
    const auto& o = r.registered;
    if (o.what == outcome::refused) return c.error(http_status(o.why), code(o.why));
    if (o.what == outcome::created) return http::response::redirect("/r/" + o.token);
    // Already registered: told here, and their personal link is mailed again.
    json::object data{{"title", a.texts.text(c.lang(), "register_title") + ": " + r.event->title},
                      {"event", events::to_view(*r.event, a.texts, c.lang())},
                      {"message", a.texts.text(c.lang(), "register_already")},
                      {"email", o.reg.email}};
    return c.page("registration/done", std::move(data));
}

}  // namespace

std::optional<http::response> verification_instead(application& a, http::request& req, app::web_ctx* ctx,
                                                   storage::database& db, const events::event& e, const input& in) {
    if (!parse_form_settings(e.registration_form).verify_email) return std::nullopt;
    auto now = util::now_seconds();
    auto lang = ctx ? ctx->lang : app::pick_lang(a, req);
    auto refused = closed_for(e, in, now);
    // Full without a waiting list: said at once (a count, nothing about this address).
    if (!refused && e.registration_mode == "open" && e.capacity > 0 && !e.waitlist &&
        repository(db).count(e.id, registration_status::confirmed) >= e.capacity) {
        refused = outcome{};
        refused->why = refusal::event_full;
    }
    if (refused) {
        auto why = refused->why;
        if (ctx) return app::error_response(a, req, http_status(why), code(why));
        return app::json_error(http_status(why), code(why), a.texts.text(lang, message_key(why)));
    }
    context c{db, a.mail, a.cfg.public_base(), a.secret};
    auto r = request_verification(c, e, in, now);
    if (ctx) return sent_page(a, *ctx, e, in.email, r.expires_at);
    return app::json_response(202, json::object{{"verification_required", true},
                                                {"email", in.email},
                                                {"expires_at", view::format_iso_local(r.expires_at, e.timezone)},
                                                {"message", a.texts.text(lang, "verify_api_message")}});
}

void register_verification_routes(application& a) {
    using app::route;
    // A token that names a request, also an expired one (which its page answers with 410).
    auto known = [](storage::database& db, std::string_view token) -> std::optional<std::int64_t> {
        auto p = find_request(db, std::string(token), util::now_seconds());
        if (p.what == pending::unknown) return std::nullopt;
        return p.id;
    };
    route(a, "GET", "/v/{token}").allow(access::personal_link).link("token", known, "bad_link").handle(verify_page);
    // The button: only a POST with the form's CSRF token registers (mail scanners fetch
    // links with GET, and must not register anyone).
    route(a, "POST", "/v/{token}").allow(access::personal_link).link("token", known, "bad_link").form().handle(verify);
}

}  // namespace sabor::registration
