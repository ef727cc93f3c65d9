#include "registration/event_cancellation.hpp"

#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "registration/repository.hpp"
#include "registration/service.hpp"
#include "storage/database.hpp"
#include "util/utf8.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace json = boost::json;
using app::access;
using app::application;
using app::call;

namespace {

constexpr std::size_t message_max = 2000;  // characters: a few paragraphs

// The organiser's message: optional, checked like any text a person types.
std::optional<std::string> check_message(std::string& message) {
    if (!util::valid_utf8(message)) return "error_invalid_utf8";
    if (util::has_control_chars(message, true)) return "error_control_chars";
    message = util::trim(message, " \t\r\n");
    if (util::utf8_length(message) > message_max) return "error_too_long";
    return std::nullopt;
}

std::int64_t expecting_count(storage::database& db, std::int64_t event_id) {
    return static_cast<std::int64_t>(repository(db).expecting(event_id).size());
}

http::response confirm_page(call& c, const events::event& e, const std::string& message, const std::string& error,
                            int status) {
    auto& a = c.app;
    const auto& lang = c.lang();
    app::csrf_token(a, c.req, c.ctx);
    auto told = expecting_count(c.db(), e.id);
    json::object data{{"title", a.texts.text(lang, "cancel_event_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, lang)},
                      {"message", message},
                      {"error", error},
                      {"already", e.status == events::event_status::cancelled},
                      {"told_text", a.texts.text(lang, told == 1 ? "cancel_event_told_one" : "cancel_event_told",
                                                 {{"count", std::to_string(told)}})},
                      {"page_is", json::object{{"admin_event_form", true}}}};
    return c.page("admin/event_cancel", std::move(data), status);
}

// Cancels and tells everyone, in one transaction the caller opened and commits.
int cancel_event(application& a, storage::database& db, const events::event& e, const std::string& message) {
    events::repository(db).set_status(e.id, events::event_status::cancelled);
    auto cancelled = e;
    cancelled.status = events::event_status::cancelled;  // the mails' calendar data says so
    context c{db, a.mail, a.cfg.public_base(), a.secret};
    return notify_event_cancelled(c, cancelled, message);
}


http::response page_get(call& c) { return confirm_page(c, events::the_event(c), "", "", 200); }

http::response page_post(call& c) {
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    auto base = "/admin/events/" + std::to_string(e.id) + "/cancel";
    // Only the confirmation page's own button cancels; anything else is asked first.
    if (app::form_value(c.form, "confirm") != "1") return http::response::redirect(base);
    auto message = app::form_value(c.form, "message");
    if (e.status == events::event_status::cancelled) return confirm_page(c, e, "", "", 409);
    if (auto err = check_message(message))
        return confirm_page(c, e, util::valid_utf8(message) ? message : std::string{},
                            c.app.texts.text(c.lang(), *err, {{"max", std::to_string(message_max)}}), 422);
    int told = cancel_event(c.app, c.db(), e, message);
    tx.commit();
    return http::response::redirect("/admin?notice=cancelled&told=" + std::to_string(told));
}

// The body is optional: {"message": "..."} or nothing.
http::response api_cancel(call& c) {
    auto& a = c.app;
    static constexpr view::json_field fields[] = {{.name = "message", .type = view::json_type::text}};
    view::field_errors errors;
    view::json_fields in(c.body, fields, errors);
    auto message = in.text("message").value_or("");
    if (in.has("message"))
        if (auto err = check_message(message)) errors["message"] = {*err, {{"max", std::to_string(message_max)}}};
    if (!errors.empty()) return app::validation_failed(a, c.req, errors);
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    if (e.status == events::event_status::cancelled)
        return app::json_error(409, "already_cancelled", a.texts.text(c.lang(), "error_event_already_cancelled"));
    int told = cancel_event(a, c.db(), e, message);
    tx.commit();
    events::repository repo(c.db());
    auto j = events::api_event_json(a, repo, *repo.find(e.id));
    j["notified"] = told;
    return app::json_response(200, j);
}

}  // namespace

void register_cancellation_routes(application& a) {
    using app::route;
    route(a, "GET", "/admin/events/{id}/cancel").allow(access::event_manager).handle(page_get);
    route(a, "POST", "/admin/events/{id}/cancel").allow(access::event_manager).form().handle(page_post);
    route(a, "POST", "/api/v1/events/{id}/cancel").allow(access::event_manager).json_optional(16 * 1024).handle(api_cancel);
}

}  // namespace sabor::registration
