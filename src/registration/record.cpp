#include "registration/record.hpp"
#include "events/routes.hpp"

#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "storage/audit_log.hpp"
#include "registration/repository.hpp"
#include "registration/routes.hpp"
#include "registration/service.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace json = boost::json;
using app::access;
using app::application;
using app::call;

namespace {

// A stored time in the event's zone; what cannot be read is shown as stored, never as 1970.
std::string when_text(const std::string& iso, const events::event& e, const std::string& lang) {
    auto t = view::parse_stored_utc(iso);
    return t ? view::format_date_time(*t, e.timezone, lang) : iso;
}

// A known key's text, or `fallback` (never a raw message key on the page).
std::string label_or(application& a, const std::string& lang, const std::string& key, const std::string& fallback) {
    return a.texts.has(lang, key) ? a.texts.text(lang, key) : fallback;
}

http::response page(call& c, const registration& r, const events::event& e, const http::fields* raw,
                    const std::map<std::string, std::string>& errors, int status) {
    auto& a = c.app;
    auto& db = c.db();
    app::csrf_token(a, c.req, c.ctx);
    auto lang = c.lang();
    auto settings = parse_form_settings(e.registration_form);
    auto stored_value = json::parse(r.answers.empty() ? "{}" : r.answers);
    const json::object* stored = stored_value.is_object() ? &stored_value.as_object() : nullptr;

    json::array answers;
    for (const auto& q : settings.questions) {
        auto text = stored ? answer_text(q, *stored, lang) : std::string{};
        answers.push_back(json::object{{"label", q.label}, {"text", text.empty() ? a.texts.text(lang, "record_no_answer") : text}});
    }
    json::array history;
    history.push_back(json::object{{"when", when_text(r.created_at, e, lang)},
                                   {"what", a.texts.text(lang, "record_registered")}, {"detail", r.source}, {"who", ""}});
    for (const auto& h : repository(db).history(r)) {
        auto when = when_text(h.at, e, lang);
        std::string what = h.source == "mail"
                               ? a.texts.text(lang, "record_mail") + ": " + label_or(a, lang, "record_mail_" + h.what, h.what)
                               : label_or(a, lang, "record_action_" + h.what.substr(h.what.find('.') + 1), h.what);
        std::string detail = h.source == "mail" ? label_or(a, lang, "record_mail_status_" + h.detail, h.detail) : h.detail;
        history.push_back(json::object{{"when", when}, {"what", what}, {"detail", detail}, {"who", h.who}});
    }
    json::object values;
    if (raw) {
        for (const auto& [k, v] : *raw)
            if (util::valid_utf8(k) && util::valid_utf8(v) && k != "csrf_token") values[k] = v;
    } else {
        values = json::object{{"name", r.name}, {"organisation", r.organisation}, {"position", r.position},
                              {"town", r.town}, {"phone", r.phone}};
    }
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    auto reg = to_json(r);
    reg["status_label"] = a.texts.text(lang, "regstatus_" + std::string(to_string(r.status)));
    reg["checked_in_text"] = r.checked_in_at.empty() ? std::string{} : when_text(r.checked_in_at, e, lang);
    json::object data{{"title", r.name},
                      {"event", events::to_view(e, a.texts, lang)},
                      {"registration", std::move(reg)},
                      {"answers", std::move(answers)},
                      {"has_answers", !settings.questions.empty()},
                      {"history", std::move(history)},
                      {"values", std::move(values)},
                      {"errors", std::move(errs)},
                      {"has_errors", !errors.empty()},
                      {"types", type_options(a, lang, raw ? app::form_value(*raw, "organisation_type") : r.organisation_type)},
                      {"page_is", json::object{{"admin_registrations", true}}}};
    add_form_view(data, settings, raw, raw ? nullptr : stored, errors);
    if (c.req.query_param("saved")) data["notice"] = a.texts.text(lang, "record_saved");
    auto res = c.page("admin/registration", std::move(data), status);
    res.set_header("Cache-Control", "no-store");
    return res;
}


http::response show(call& c) {
    auto r = repository(c.db()).find(c.object_id);
    if (!r) return c.error(404, "not_found");  // removed since the access check
    return page(c, *r, events::the_event(c), nullptr, {}, 200);
}

// An organiser corrects what the person typed: the name, any detail, any answer. The address
// stays (it is the registration's identity); fields the form requires may be left empty.
http::response edit(call& c) {
    storage::transaction tx(c.db());
    auto found = repository(c.db()).find(c.object_id);
    if (!found) return c.error(404, "not_found");  // removed since the access check
    auto r = std::move(*found);
    auto e = events::the_event(c);
    field_errors errors;
    auto in = input_from_form(c.form, errors);
    in.email = r.email;
    in.consent = true;
    in.walk_in = true;  // as at the desk: the organiser may not know every required detail
    validate(in, errors, parse_form_settings(e.registration_form));
    if (!errors.empty()) return page(c, r, e, &c.form, view::localise(errors, c.app.texts, c.lang()), 422);
    apply_details(r, in);
    repository(c.db()).update_details(r);
    storage::audit(c.db(), c.user().id, "registration.edit", e.id, r.id, "");
    tx.commit();
    return http::response::redirect("/admin/registrations/" + std::to_string(r.id) + "?saved=1");
}

}  // namespace

void register_record_routes(application& a) {
    using app::route;
    route(a, "GET", "/admin/registrations/{id}").allow(access::event_manager)
        .event_of("id", event_of_registration).handle(show);
    route(a, "POST", "/admin/registrations/{id}/edit").allow(access::event_manager)
        .event_of("id", event_of_registration).form().handle(edit);
}

}  // namespace sabor::registration
