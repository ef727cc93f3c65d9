#include "util/clock.hpp"
#include "registration/routes.hpp"

#include "app/routes.hpp"
#include "app/web.hpp"
#include "contacts/invitation_routes.hpp"
#include "contacts/invitations.hpp"
#include "contacts/repository.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "storage/audit_log.hpp"
#include "registration/card_routes.hpp"
#include "registration/checkin.hpp"
#include "registration/event_cancellation.hpp"
#include "registration/record.hpp"
#include "registration/exports.hpp"
#include "registration/repository.hpp"
#include "registration/service.hpp"
#include "registration/mail_text_routes.hpp"
#include "registration/scheduled_routes.hpp"
#include "registration/verification_routes.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"
#include "view/text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace sabor::registration {
namespace {

using app::application;
namespace json = boost::json;

using util::now_seconds;



json::object with_api_url(application& a, const registration& r, const std::string& token) {
    auto j = to_json(r);
    if (!token.empty()) j["manage_url"] = manage_url(a.cfg.public_base(), token);
    return j;
}

}  // namespace

boost::json::array type_options(app::application& a, const std::string& lang, const std::string& selected) {
    json::array out;
    for (auto t : organisation_types)
        out.push_back(json::object{{"value", t}, {"label", a.texts.text(lang, "orgtype_" + std::string(t))}, {"selected", t == selected}});
    return out;
}

// What the form partial needs: which fields show and are required, and each question with
// its current value (from the submitted form, or from a registration's stored answers).
void add_form_view(json::object& data, const form_settings& s, const http::fields* raw, const json::object* stored,
                   const std::map<std::string, std::string>& errors) {
    json::object show, req;
    for (auto f : configurable_fields) {
        show[f] = s.shown(f);
        req[f] = s.required(f);
    }
    json::array questions;
    for (const auto& q : s.questions) {
        std::vector<std::string> current;
        if (raw) {
            for (const auto& [k, v] : *raw)
                if (k == q.key && util::valid_utf8(v)) current.push_back(v);
        } else if (stored) {
            if (auto* v = stored->if_contains(q.key)) {
                if (v->is_string()) current.emplace_back(v->get_string());
                else if (v->is_bool()) current.emplace_back(v->get_bool() ? "yes" : "no");
                else if (v->is_array())
                    for (const auto& item : v->get_array())
                        if (item.is_string()) current.emplace_back(item.get_string());
                if (v->is_number()) current.push_back(answer_text(q, *stored, "en"));
            }
        }
        auto has = [&current](const std::string& x) { return std::find(current.begin(), current.end(), x) != current.end(); };
        json::array options;
        // The question's key in each option too: {{key}} inside {{#options}} must not reach outward.
        for (const auto& o : q.options) options.push_back(json::object{{"key", q.key}, {"value", o}, {"checked", has(o)}});
        auto err = errors.find(q.key);
        json::object view{{"key", q.key},
                          {"label", q.label},
                          {"required", q.required},
                          {"value", current.empty() ? std::string{} : current.front()},
                          {"options", std::move(options)},
                          {"yes", has("yes")},
                          {"no", has("no")},
                          {"error", err == errors.end() ? std::string{} : err->second}};
        view["is_" + q.type] = true;
        for (auto t : question_types)
            if (!view.contains("is_" + std::string(t))) view["is_" + std::string(t)] = false;
        questions.push_back(std::move(view));
    }
    data["show"] = std::move(show);
    data["req"] = std::move(req);
    data["questions"] = std::move(questions);
    data["privacy_html"] = view::render_description(s.privacy_text);
}

std::optional<std::int64_t> event_of_registration(storage::database& db, std::string_view id) {
    auto n = app::to_id(id);
    return n ? repository(db).event_of(*n) : std::nullopt;
}

std::optional<std::int64_t> registration_of_link(storage::database& db, std::string_view token) {
    return repository(db).id_by_token(util::token_hash(token));
}

namespace {

using app::access;
using app::call;

http::response form_page(application& a, http::request& req, app::web_ctx& ctx, storage::database& db,
                         const events::event& e, const http::fields* raw, const std::map<std::string, std::string>& errors,
                         int status, json::object extra = {}) {
    app::csrf_token(a, req, ctx);
    json::object values;
    std::string type;
    if (raw)
        for (const auto& [k, v] : *raw) {
            if (!util::valid_utf8(k) || !util::valid_utf8(v) || k == "csrf_token") continue;
            values[k] = v;
            if (k == "organisation_type") type = v;
        }
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    json::object data{{"title", a.texts.text(ctx.lang, "register_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"values", std::move(values)},
                      {"errors", std::move(errs)},
                      {"has_errors", !errors.empty()},
                      {"types", type_options(a, ctx.lang, type)},
                      {"action", "/events/" + e.slug + "/register"}};
    // The seats before the visitor types anything: a full event must not look open.
    auto av = events::availability_of(e, events::repository(db).confirmed_count(e.id), now_seconds());
    data["availability"] = events::availability_view(av, e, a.texts, ctx.lang);
    auto settings = parse_form_settings(e.registration_form);
    data["verify_email"] = settings.verify_email;
    add_form_view(data, settings, raw, nullptr, errors);
    for (auto& [k, v] : extra) data[k] = std::move(v);
    return app::render_page(a, ctx, "registration/form", std::move(data), status);
}

http::response result_page(call& c, const events::event& e, const outcome& o, int status) {
    auto& a = c.app;
    // A known address gets what a new one gets ("check your mail"): the page must not tell a
    // stranger who is registered.
    std::string key = o.what == outcome::already_registered ? "register_received"
                      : o.reg.status == registration_status::confirmed        ? "register_done_confirmed"
                      : o.reg.status == registration_status::waitlisted       ? "register_done_waitlisted"
                                                           : "register_done_pending";
    json::object data{{"title", a.texts.text(c.lang(), "register_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"message", a.texts.text(c.lang(), key)},
                      {"email", o.reg.email}};
    // A path, not public_url: the page is already on this site (mails carry the full URL).
    if (!o.token.empty()) data["manage_url"] = "/r/" + o.token;
    return c.page("registration/done", std::move(data), status);
}


// ---- registering ----

// Only while the event takes registrations: events::accepting_registrations (status, mode, window).
http::response register_page(call& c) {
    auto e = events::the_event(c);
    if (!events::accepting_registrations(e, now_seconds())) return c.error(409, "registration_closed");
    return form_page(c.app, c.req, c.ctx, c.db(), e, nullptr, {}, 200);
}

// The window, the mode and the seats are the service's rules (closed_for, register_for).
http::response register_submit(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    if (!a.registration_limiter.allow(c.req.remote_addr)) return c.error(429, "too_many_registrations");
    field_errors errors;
    auto in = input_from_form(c.form, errors);
    if (in.honeypot_filled) return c.error(400, "bad_form");
    in.locale = c.lang();
    validate(in, errors, parse_form_settings(e.registration_form));
    if (!errors.empty())
        return form_page(a, c.req, c.ctx, c.db(), e, &c.form, view::localise(errors, a.texts, c.lang()), 422);
    if (auto answer = verification_instead(a, c.req, &c.ctx, c.db(), e, in)) return *answer;
    context rc{c.db(), a.mail, a.cfg.public_base(), a.secret};
    auto o = register_for(rc, e, in, now_seconds());
    if (o.what == outcome::refused) return c.error(http_status(o.why), code(o.why));
    return result_page(c, e, o, 201);
}

// The public list: confirmed participants who agreed to be shown, when the organiser turned it on.
http::response participants_page(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    if (!e.public_participants) return c.error(404, "not_found");
    auto list = repository(c.db()).list(e.id, to_string(registration_status::confirmed), "", 100000, 0, nullptr);
    list.erase(std::remove_if(list.begin(), list.end(), [](const registration& r) { return !r.public_listing; }),
               list.end());
    sort_bulgarian(list, false);
    json::array people;
    for (const auto& r : list) people.push_back(json::object{{"name", r.name}, {"organisation", r.organisation}});
    bool empty = people.empty();
    json::object data{{"title", a.texts.text(c.lang(), "participants_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"people", std::move(people)},
                      {"empty", empty}};
    return c.page("events/participants", std::move(data));
}

// ---- the personal page /r/{token}: c.object_id is the registration the link opens ----

// `ask_cancel`: the participant pressed „Отказвам се“ once; the page asks before cancelling.
// `raw` and `errors`: a refused save, shown again as typed with each field's reason.
http::response manage_page(call& c, const personal_parts& parts, const std::string& notice, bool ask_cancel = false, const http::fields* raw = nullptr,
                           const std::map<std::string, std::string>& errors = {}, int status = 200) {
    auto& a = c.app;
    const auto& lang = c.lang();
    repository repo(c.db());
    auto r = repo.find(c.object_id);
    auto e = r ? events::repository(c.db()).find(r->event_id) : std::nullopt;
    if (!e) return c.error(404, "bad_link");
    app::csrf_token(a, c.req, c.ctx);
    json::object reg = to_json(*r);
    reg["status_label"] = a.texts.text(lang, "regstatus_" + std::string(to_string(r->status)));
    // Nothing to change or show at a door once the registration or the event is cancelled.
    reg["is_active"] = is_live(r->status) && e->status != events::event_status::cancelled;
    // Not "position": the registration has a job title of that name, which a confirmed
    // person's page once showed as a place on the waiting list.
    if (r->status == registration_status::waitlisted) reg["waitlist_place"] = repo.waitlist_position(*r);
    if (r->status == registration_status::confirmed) reg["qr"] = qr_data_uri(checkin_url(a.cfg.public_base(), a.secret, r->id));
    json::object values{{"name", r->name},         {"organisation", r->organisation}, {"position", r->position},
                        {"town", r->town},         {"phone", r->phone}};
    if (raw)
        for (const auto& [k, v] : *raw)
            if (util::valid_utf8(k) && util::valid_utf8(v) && k != "csrf_token") values[k] = v;
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    json::object data{{"title", a.texts.text(lang, "manage_title")},
                      {"event", events::to_view(*e, a.texts, lang)},
                      {"registration", std::move(reg)},
                      {"values", std::move(values)},
                      {"errors", std::move(errs)},
                      {"types", type_options(a, lang, raw ? app::form_value(*raw, "organisation_type") : r->organisation_type)},
                      {"base", "/r/" + std::string(c.req.param("token"))}};
    auto stored = json::parse(r->answers.empty() ? "{}" : r->answers);
    add_form_view(data, parse_form_settings(e->registration_form), raw,
                  raw || !stored.is_object() ? nullptr : &stored.as_object(), errors);
    if (!notice.empty()) data["notice"] = a.texts.text(lang, notice);
    auto& shown = data["registration"].as_object();  // both read inside {{#registration}}
    shown["ask_cancel"] = ask_cancel;
    shown["has_errors"] = !errors.empty();
    for (const auto& p : parts) if (p.show) p.show(c, *e, *r, data);
    // Not kept, not sent on as a Referer: a personal link's route (app/routes, app/app.cpp).
    return c.page("registration/manage", std::move(data), status);
}

http::response manage_get(call& c, const personal_parts& parts) { return manage_page(c, parts, ""); }

// The participant cancels (asked first) or corrects their details.
http::response manage_post(call& c, const personal_parts& parts) {
    auto& a = c.app;
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto r = repo.find(c.object_id);
    auto e = r ? events::repository(c.db()).find(r->event_id) : std::nullopt;
    if (!e) return c.error(404, "bad_link");
    std::string notice;
    if (app::form_value(c.form, "action") == "cancel") {
        if (!is_live(r->status)) return c.error(409, "already_cancelled");
        // Asked first: cancelling gives the seat away and cannot be taken back.
        if (app::form_value(c.form, "confirm") != "1") return manage_page(c, parts, "", true);
        context rc{c.db(), a.mail, a.cfg.public_base(), a.secret};
        cancel(rc, *e, *r);
        storage::audit(c.db(), 0, "registration.self_cancel", e->id, r->id, "");  // 0: the participant, no account
        notice = "notice_registration_cancelled";
    } else {
        field_errors errors;
        auto in = input_from_form(c.form, errors);
        in.email = r->email;  // the address is the registration's identity: not changed here
        in.consent = true;
        in.walk_in = r->email.empty();
        validate(in, errors, parse_form_settings(e->registration_form));
        // Back in the page as typed, each field with its reason: no dead end.
        if (!errors.empty()) return manage_page(c, parts, "", false, &c.form, view::localise(errors, a.texts, c.lang()), 422);
        apply_details(*r, in);
        repo.update_details(*r);
        storage::audit(c.db(), 0, "registration.self_edit", e->id, r->id, "");
        notice = "notice_registration_saved";
    }
    tx.commit();
    return manage_page(c, parts, notice);
}

http::response manage_ics(call& c) {
    auto r = repository(c.db()).find(c.object_id);
    auto e = r ? events::repository(c.db()).find(r->event_id) : std::nullopt;
    if (!e) return c.error(404, "bad_link");
    http::response res;
    res.body = event_ics(*e, c.app.cfg.public_base());
    res.set_header("Content-Type", "text/calendar; charset=utf-8");
    res.set_header("Content-Disposition", "attachment; filename=\"event.ics\"");
    res.set_header("Cache-Control", "no-store");
    return res;
}

// ---- API ----

// The window, the mode and the seats are the service's rules (closed_for, register_for).
http::response api_register(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    if (!a.registration_limiter.allow(c.req.remote_addr))
        return app::json_error(429, "too_many_registrations", a.texts.text(lang, "error_too_many_registrations"));
    field_errors errors;
    auto in = input_from_json(c.body, errors);
    if (!c.body.contains("locale")) in.locale = lang;
    validate(in, errors, parse_form_settings(e.registration_form));
    if (!errors.empty()) return app::validation_failed(a, c.req, errors);
    if (auto answer = verification_instead(a, c.req, nullptr, c.db(), e, in)) return *answer;
    context rc{c.db(), a.mail, a.cfg.public_base(), a.secret};
    auto o = register_for(rc, e, in, now_seconds());
    if (o.what == outcome::refused)
        return app::json_error(http_status(o.why), code(o.why), a.texts.text(lang, message_key(o.why)));
    if (o.what == outcome::already_registered) {
        // Only the event's organisers (with a token) may learn that the address is registered;
        // anyone else gets the answer a new registration gets, without a status or link of someone else's.
        bool organiser = !c.req.header("authorization").empty() && c.manages_event();
        if (organiser) return app::json_error(409, "already_registered", a.texts.text(lang, "error_already_registered"));
        return app::json_response(201, json::object{{"status", "received"}});
    }
    auto res = app::json_response(201, with_api_url(a, o.reg, o.token));
    res.set_header("Location", "/api/v1/registrations/" + std::to_string(o.reg.id));
    return res;
}

http::response api_list(call& c) {
    auto status = c.req.query_param("status").value_or("");
    auto q = c.req.query_param("q").value_or("");
    if (!util::valid_utf8(q) || !util::valid_utf8(status))
        return app::json_error(400, "bad_query", c.app.texts.text(c.lang(), "error_invalid_utf8"));
    std::int64_t total = 0;
    json::array items;
    for (const auto& r : repository(c.db()).list(c.event_id, status, util::to_lower_utf8(q),
                                                 app::query_int(c.req, "limit", 100, 1, 1000),
                                                 app::query_int(c.req, "offset", 0, 0, 1'000'000'000), &total))
        items.push_back(to_json(r));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_patch(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto r = repo.find(c.object_id);
    auto e = r ? events::repository(c.db()).find(r->event_id) : std::nullopt;
    if (!e) return c.error(404, "not_found");  // removed since the access check
    static constexpr view::json_field fields[] = {
        {.name = "status", .type = view::json_type::text},
        {.name = "checked_in", .type = view::json_type::boolean},
        // The registrant's details, read and checked as a registration's (input_from_json).
        {.name = "name"}, {.name = "organisation"}, {.name = "position"}, {.name = "organisation_type"},
        {.name = "town"}, {.name = "phone"}, {.name = "public_listing"}, {.name = "answers"},
    };
    field_errors errors;
    view::json_fields read(c.body, fields, errors);
    // A status that is none is refused as set_status refuses "pending", after the fields' checks.
    auto status_text = read.text("status");
    std::optional<registration_status> new_status = status_text ? parse_status(*status_text) : std::nullopt;
    bool unknown_status = status_text && !new_status;
    auto checked_in = read.boolean("checked_in");
    json::object details;
    for (const auto& f : fields)
        if (auto* v = read.get(f.name); v && f.type == view::json_type::any) details[f.name] = *v;
    input in;
    if (!details.empty()) {
        in = input_from_json(details, errors);
        // Fields not sent keep their values.
        if (!details.contains("name")) in.name = r->name;
        if (!details.contains("organisation")) in.organisation = r->organisation;
        if (!details.contains("position")) in.position = r->position;
        if (!details.contains("organisation_type")) in.organisation_type = r->organisation_type;
        if (!details.contains("town")) in.town = r->town;
        if (!details.contains("phone")) in.phone = r->phone;
        if (!details.contains("public_listing")) in.public_listing = r->public_listing;
        in.email = r->email;
        in.consent = true;
        in.walk_in = r->email.empty();
        in.check_answers = details.contains("answers");
        validate(in, errors, parse_form_settings(e->registration_form));
    }
    if (!errors.empty()) return app::validation_failed(a, c.req, errors);
    auto refused = [&](refusal why) {
        return app::json_error(http_status(why), code(why), a.texts.text(lang, message_key(why)));
    };
    if (unknown_status) return refused(refusal::unknown_value);
    if (!details.empty()) {
        apply_details(*r, in);
        repo.update_details(*r);
    }
    if (new_status) {
        context rc{c.db(), a.mail, a.cfg.public_base(), a.secret};
        if (auto why = set_status(rc, *e, *r, *new_status)) return refused(*why);
    }
    if (checked_in) repo.set_checked_in(r->id, *checked_in);
    storage::audit(c.db(), c.user().id, "registration.api_patch", e->id, r->id, c.req.body.substr(0, 500));
    tx.commit();
    return app::json_response(200, to_json(*repo.find(r->id)));
}

// The registration form an invitation opens (/i/{token}), filled in with what the invitation
// and its contact know; the token travels in the form, and register_for checks it again.
http::response invitation_page(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto token = std::string(c.req.param("token"));
    auto inv = *contacts::repository(c.db()).find_invitation(c.object_id);
    auto e = *events::repository(c.db()).find(inv.event_id);
    if (inv.registration_id) return contacts::message_page(c, e.title, a.texts.text(lang, "invitation_already_registered"));
    if (e.status != events::event_status::published || e.ends_at < now_seconds() || e.registration_mode == "closed")
        return contacts::message_page(c, e.title, a.texts.text(lang, e.status == events::event_status::cancelled ? "error_event_cancelled" : "error_registration_closed"), {}, 409);
    http::fields prefill{{"email", inv.email}, {"name", inv.name}, {"invitation", token}};
    if (inv.contact_id)
        if (auto person = contacts::repository(c.db()).find(*inv.contact_id)) {
            prefill.emplace_back("organisation", person->organisation);
            prefill.emplace_back("position", person->position);
            prefill.emplace_back("organisation_type", person->organisation_type);
            prefill.emplace_back("town", person->town);
            prefill.emplace_back("phone", person->phone);
        }
    json::object extra{{"decline_action", "/i/" + token + "/decline"}};
    if (!inv.declined_at.empty()) extra["notice"] = a.texts.text(lang, "invitation_declined_before");
    auto res = form_page(a, c.req, c.ctx, c.db(), e, &prefill, {}, 200, std::move(extra));
    res.set_header("Cache-Control", "no-store");
    return res;
}

}  // namespace

void register_routes(application& a, personal_parts on_personal_page) {
    auto parts = std::make_shared<const personal_parts>(std::move(on_personal_page));
    a.metrics.add_gauge("sabor_registrations", "Registrations that are not cancelled or rejected.", [&a] {
        auto conn = a.db.acquire();
        return static_cast<double>(repository(*conn).count_active());
    });
    using app::route;

    // Registering: a draft is 404 but for its managers; the window, the mode and the seats are
    // the service's rules (closed_for, register_for), applied in the handlers.
    route(a, "GET", "/events/{slug}/register").allow(access::event_reader).handle(register_page);
    route(a, "POST", "/events/{slug}/register").allow(access::event_reader).form().handle(register_submit);
    // Shown only when the organiser turned the list on (event.public_participants).
    route(a, "GET", "/events/{slug}/participants").allow(access::event_reader).handle(participants_page);

    route(a, "GET", "/i/{token}").allow(access::personal_link).link("token", contacts::invitation_of_link, "invitation_invalid")
        .handle(invitation_page);
    route(a, "GET", "/r/{token}").allow(access::personal_link).link("token", registration_of_link).handle([parts](call& c) {
        return manage_get(c, *parts);
    });
    route(a, "POST", "/r/{token}").allow(access::personal_link).link("token", registration_of_link).form().handle([parts](call& c) {
        return manage_post(c, *parts);
    });
    route(a, "GET", "/r/{token}/event.ics").allow(access::personal_link).link("token", registration_of_link).handle(manage_ics);

    route(a, "POST", "/api/v1/events/{id}/registrations").allow(access::event_reader).json(16 * 1024).handle(api_register);
    route(a, "GET", "/api/v1/events/{id}/registrations").allow(access::event_manager).handle(api_list);
    route(a, "PATCH", "/api/v1/registrations/{id}").allow(access::event_manager)
        .event_of("id", event_of_registration).json(16 * 1024).handle(api_patch);

    register_verification_routes(a);
    register_cancellation_routes(a);
    register_record_routes(a);
    register_card_routes(a);
    register_scheduled_routes(a);
    register_mail_text_routes(a);
}

}  // namespace sabor::registration
