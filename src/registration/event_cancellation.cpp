#include "registration/event_cancellation.hpp"

#include "app/app.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "registration/admin.hpp"
#include "registration/repository.hpp"
#include "registration/service.hpp"
#include "storage/database.hpp"
#include "util/utf8.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace json = boost::json;
using app::application;

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

http::response confirm_page(application& a, http::request& req, app::web_ctx& ctx, storage::database& db,
                            const events::event& e, const std::string& message, const std::string& error, int status) {
    app::csrf_token(a, req, ctx);
    auto told = expecting_count(db, e.id);
    json::object data{{"title", a.texts.text(ctx.lang, "cancel_event_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"message", message},
                      {"error", error},
                      {"already", e.status == "cancelled"},
                      {"told_text", a.texts.text(ctx.lang, told == 1 ? "cancel_event_told_one" : "cancel_event_told",
                                                 {{"count", std::to_string(told)}})},
                      {"page_is", json::object{{"admin_event_form", true}}}};
    return app::render_page(a, ctx, "admin/event_cancel", std::move(data), status);
}

// Cancels and tells everyone, in one transaction the caller opened and commits.
int cancel_event(application& a, storage::database& db, const events::event& e, const std::string& message) {
    events::repository(db).set_status(e.id, "cancelled");
    auto cancelled = e;
    cancelled.status = "cancelled";  // the mails' calendar data says so
    context c{db, a.mail, a.cfg.public_base(), a.secret};
    return notify_event_cancelled(c, cancelled, message);
}

http::response page_get(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    auto conn = a.db.acquire();
    auto m = load_managed(a, req, ctx, *conn);
    if (m.refusal) return *m.refusal;
    return confirm_page(a, req, ctx, *conn, m.e, "", "", 200);
}

http::response page_post(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    auto m = load_managed(a, req, ctx, *conn);
    if (m.refusal) return *m.refusal;
    auto base = "/admin/events/" + std::to_string(m.e.id) + "/cancel";
    // Only the confirmation page's own button cancels; anything else is asked first.
    if (app::form_value(form, "confirm") != "1") return http::response::redirect(base);
    auto message = app::form_value(form, "message");
    if (m.e.status == "cancelled") return confirm_page(a, req, ctx, *conn, m.e, "", "", 409);
    if (auto err = check_message(message))
        return confirm_page(a, req, ctx, *conn, m.e, util::valid_utf8(message) ? message : std::string{},
                            a.texts.text(ctx.lang, *err, {{"max", std::to_string(message_max)}}), 422);
    int told = cancel_event(a, *conn, m.e, message);
    tx.commit();
    return http::response::redirect("/admin?notice=cancelled&told=" + std::to_string(told));
}

http::response api_cancel(application& a, http::request& req) {
    auto auth = app::require_api_user(a, req);
    if (auth.refusal) return *auth.refusal;
    auto lang = app::pick_lang(a, req);
    std::string message;
    if (!req.body.empty()) {  // the body is optional: {"message": "..."}
        std::optional<http::response> refusal;
        auto body = app::parse_json_object(a, req, refusal);
        if (!body) return *refusal;
        events::field_errors errors;
        for (const auto& [key, value] : *body) {
            if (key != "message") errors[util::valid_utf8(key) ? std::string(key) : "?"] = {"error_unknown_field", {}};
            else if (!value.is_string()) errors["message"] = {"error_must_be_text", {}};
            else message = std::string(value.get_string());
        }
        if (!errors.count("message") && body->contains("message"))
            if (auto err = check_message(message)) errors["message"] = {*err, {{"max", std::to_string(message_max)}}};
        if (!errors.empty()) return events::validation_failed(a, req, errors);
    }
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    auto e = event_in_path(*conn, auth.user, req);
    if (!e) return app::error_response(a, req, 404, "not_found");
    if (e->status == "cancelled")
        return app::json_error(409, "already_cancelled", a.texts.text(lang, "error_event_already_cancelled"));
    int told = cancel_event(a, *conn, *e, message);
    tx.commit();
    events::repository repo(*conn);
    auto j = events::api_event_json(a, repo, *repo.find(e->id));
    j["notified"] = told;
    return app::json_response(200, j);
}

}  // namespace

void register_cancellation_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);
    a.router.get("/admin/events/{id}/cancel", [&a](http::request& req) { return page_get(a, req); });
    a.router.post("/admin/events/{id}/cancel", [&a](http::request& req) { return page_post(a, req); }, form_limit);
    a.router.post("/api/v1/events/{id}/cancel", [&a](http::request& req) { return api_cancel(a, req); }, 16 * 1024);
}

}  // namespace sabor::registration
