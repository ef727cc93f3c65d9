#include "registration/record.hpp"

#include "app/app.hpp"
#include "app/web.hpp"
#include "registration/admin.hpp"
#include "registration/audit.hpp"
#include "registration/repository.hpp"
#include "registration/routes.hpp"
#include "registration/service.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace json = boost::json;
using app::application;

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

http::response page(application& a, http::request& req, app::web_ctx& ctx, storage::database& db, const registration& r,
                    const events::event& e, const http::fields* raw, const std::map<std::string, std::string>& errors,
                    int status) {
    app::csrf_token(a, req, ctx);
    auto lang = ctx.lang;
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
    reg["status_label"] = a.texts.text(lang, "regstatus_" + r.status);
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
    if (req.query_param("saved")) data["notice"] = a.texts.text(lang, "record_saved");
    auto res = app::render_page(a, ctx, "admin/registration", std::move(data), status);
    res.set_header("Cache-Control", "no-store");
    return res;
}

struct loaded {
    std::optional<http::response> refusal;
    registration r;
    events::event e;
    std::int64_t user_id = 0;
};

loaded load(application& a, http::request& req, app::web_ctx& ctx, storage::database& db) {
    loaded l;
    auto r = repository(db).find(app::to_id(req.param("id")).value_or(0));
    if (!r) {
        l.refusal = app::error_response(a, req, 404, "not_found");
        return l;
    }
    auto m = load_managed(a, req, ctx, db, r->event_id);
    if (m.refusal) {
        l.refusal = std::move(m.refusal);
        return l;
    }
    l.r = std::move(*r);
    l.e = std::move(m.e);
    l.user_id = m.user.id;
    return l;
}

http::response show(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    auto conn = a.db.acquire();
    auto l = load(a, req, ctx, *conn);
    if (l.refusal) return *l.refusal;
    return page(a, req, ctx, *conn, l.r, l.e, nullptr, {}, 200);
}

// An organiser corrects what the person typed: the name, any detail, any answer. The address
// stays (it is the registration's identity); fields the form requires may be left empty.
http::response edit(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    auto l = load(a, req, ctx, *conn);
    if (l.refusal) return *l.refusal;
    field_errors errors;
    auto in = input_from_form(form, errors);
    in.email = l.r.email;
    in.consent = true;
    in.walk_in = true;  // as at the desk: the organiser may not know every required detail
    validate(in, errors, parse_form_settings(l.e.registration_form));
    if (!errors.empty())
        return page(a, req, ctx, *conn, l.r, l.e, &form, events::localise(errors, a.texts, ctx.lang), 422);
    apply_details(l.r, in);
    repository(*conn).update_details(l.r);
    audit(*conn, l.user_id, "registration.edit", l.e.id, l.r.id, "");
    tx.commit();
    return http::response::redirect("/admin/registrations/" + std::to_string(l.r.id) + "?saved=1");
}

}  // namespace

void register_record_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);
    a.router.get("/admin/registrations/{id}", [&a](http::request& req) { return show(a, req); });
    a.router.post("/admin/registrations/{id}/edit", [&a](http::request& req) { return edit(a, req); }, form_limit);
}

}  // namespace sabor::registration
