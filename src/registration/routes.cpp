#include "util/clock.hpp"
#include "registration/routes.hpp"

#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "materials/service.hpp"
#include "registration/admin.hpp"
#include "registration/audit.hpp"
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

namespace {

http::response form_page(application& a, http::request& req, app::web_ctx& ctx, const events::event& e,
                         const http::fields* raw, const std::map<std::string, std::string>& errors, int status,
                         json::object extra = {}) {
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
    {
        // The seats before the visitor types anything: a full event must not look open.
        auto conn = a.db.acquire();
        auto av = events::availability_of(e, events::repository(*conn).confirmed_count(e.id), now_seconds());
        data["availability"] = events::availability_view(av, e, a.texts, ctx.lang);
    }
    auto settings = parse_form_settings(e.registration_form);
    data["verify_email"] = settings.verify_email;
    add_form_view(data, settings, raw, nullptr, errors);
    for (auto& [k, v] : extra) data[k] = std::move(v);
    return app::render_page(a, ctx, "registration/form", std::move(data), status);
}

http::response result_page(application& a, app::web_ctx& ctx, const events::event& e, const outcome& o, int status) {
    // A known address gets what a new one gets ("check your mail"): the page must not tell a
    // stranger who is registered.
    std::string key = o.what == outcome::already_registered ? "register_received"
                      : o.reg.status == "confirmed"        ? "register_done_confirmed"
                      : o.reg.status == "waitlisted"       ? "register_done_waitlisted"
                                                           : "register_done_pending";
    json::object data{{"title", a.texts.text(ctx.lang, "register_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"message", a.texts.text(ctx.lang, key)},
                      {"email", o.reg.email}};
    // A path, not public_url: the page is already on this site (mails carry the full URL).
    if (!o.token.empty()) data["manage_url"] = "/r/" + o.token;
    return app::render_page(a, ctx, "registration/done", std::move(data), status);
}

// The event a registration request names, published or not (the service decides).
std::optional<events::event> event_by_slug(storage::database& db, std::string_view slug) {
    return events::repository(db).find_by_slug(slug);
}

// `ask_cancel`: the participant pressed „Отказвам се“ once; the page asks before cancelling.
// `raw` and `errors`: a refused save, shown again as typed with each field's reason.
http::response manage_page(application& a, http::request& req, const std::string& token, const std::string& notice,
                           bool ask_cancel = false, const http::fields* raw = nullptr,
                           const std::map<std::string, std::string>& errors = {}, int status = 200) {
    auto ctx = app::page_context(a, req);
    auto conn = a.db.acquire();
    repository repo(*conn);
    auto r = repo.find_by_token(util::token_hash(token));
    if (!r) return app::error_response(a, req, 404, "bad_link");
    auto e = events::repository(*conn).find(r->event_id);
    if (!e) return app::error_response(a, req, 404, "bad_link");
    app::csrf_token(a, req, ctx);
    json::object reg = to_json(*r);
    reg["status_label"] = a.texts.text(ctx.lang, "regstatus_" + r->status);
    // Nothing to change or show at a door once the registration or the event is cancelled.
    reg["is_active"] = r->status != "cancelled" && r->status != "rejected" && e->status != "cancelled";
    // Not "position": the registration has a job title of that name, which a confirmed
    // person's page once showed as a place on the waiting list.
    if (r->status == "waitlisted") reg["waitlist_place"] = repo.waitlist_position(*r);
    if (r->status == "confirmed") reg["qr"] = qr_data_uri(checkin_url(a.cfg.public_base(), a.secret, r->id));
    json::object values{{"name", r->name},         {"organisation", r->organisation}, {"position", r->position},
                        {"town", r->town},         {"phone", r->phone}};
    if (raw)
        for (const auto& [k, v] : *raw)
            if (util::valid_utf8(k) && util::valid_utf8(v) && k != "csrf_token") values[k] = v;
    json::object errs;
    for (const auto& [k, v] : errors) errs[k] = v;
    json::object data{{"title", a.texts.text(ctx.lang, "manage_title")},
                      {"event", events::to_view(*e, a.texts, ctx.lang)},
                      {"registration", std::move(reg)},
                      {"values", std::move(values)},
                      {"errors", std::move(errs)},
                      {"types", type_options(a, ctx.lang, raw ? app::form_value(*raw, "organisation_type") : r->organisation_type)},
                      {"base", "/r/" + token}};
    auto stored = json::parse(r->answers.empty() ? "{}" : r->answers);
    add_form_view(data, parse_form_settings(e->registration_form), raw,
                  raw || !stored.is_object() ? nullptr : &stored.as_object(), errors);
    if (!notice.empty()) data["notice"] = a.texts.text(ctx.lang, notice);
    auto& shown = data["registration"].as_object();  // both read inside {{#registration}}
    shown["ask_cancel"] = ask_cancel;
    shown["has_errors"] = !errors.empty();
    materials::add_personal_view(a, *conn, *e, *r, ctx.lang, data);
    auto res = app::render_page(a, ctx, "registration/manage", std::move(data), status);
    res.set_header("Cache-Control", "no-store");
    res.set_header("Referrer-Policy", "no-referrer");  // the token is in the address
    return res;
}

}  // namespace

http::response prefilled_form_page(application& a, http::request& req, app::web_ctx& ctx, const events::event& e,
                                   const http::fields& prefill, json::object extra) {
    return form_page(a, req, ctx, e, &prefill, {}, 200, std::move(extra));
}

void register_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);

    a.metrics.add_gauge("sabor_registrations", "Registrations that are not cancelled or rejected.", [&a] {
        auto conn = a.db.acquire();
        return static_cast<double>(repository(*conn).count_active());
    });

    a.router.get("/events/{slug}/register", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        auto conn = a.db.acquire();
        auto e = event_by_slug(*conn, req.param("slug"));
        if (!e || e->status == "draft") return app::error_response(a, req, 404, "not_found");
        if (!events::accepting_registrations(*e, now_seconds())) return app::error_response(a, req, 409, "registration_closed");
        return form_page(a, req, ctx, *e, nullptr, {}, 200);
    });

    a.router.post("/events/{slug}/register", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        http::fields form;
        if (auto refusal = app::read_form(a, req, form)) return *refusal;
        auto conn = a.db.acquire();
        auto e = event_by_slug(*conn, req.param("slug"));
        if (!e || e->status == "draft") return app::error_response(a, req, 404, "not_found");
        if (!a.registration_limiter.allow(req.remote_addr)) return app::error_response(a, req, 429, "too_many_registrations");
        field_errors errors;
        auto in = input_from_form(form, errors);
        if (in.honeypot_filled) return app::error_response(a, req, 400, "bad_form");
        in.locale = ctx.lang;
        auto settings = parse_form_settings(e->registration_form);
        validate(in, errors, settings);
        if (!errors.empty()) return form_page(a, req, ctx, *e, &form, events::localise(errors, a.texts, ctx.lang), 422);
        if (auto answer = verification_instead(a, req, &ctx, *conn, *e, in)) return *answer;
        context c{*conn, a.mail, a.cfg.public_base(), a.secret};
        auto o = register_for(c, *e, in, now_seconds());
        if (o.what == outcome::refused) return app::error_response(a, req, o.http_status, o.refusal_key.substr(6));
        return result_page(a, ctx, *e, o, 201);
    }, form_limit);

    // The public list: confirmed participants who agreed to be shown, when the organiser turned it on.
    a.router.get("/events/{slug}/participants", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        auto conn = a.db.acquire();
        auto e = event_by_slug(*conn, req.param("slug"));
        if (!e || e->status == "draft" || !e->public_participants) return app::error_response(a, req, 404, "not_found");
        auto list = repository(*conn).list(e->id, "confirmed", "", 100000, 0, nullptr);
        list.erase(std::remove_if(list.begin(), list.end(), [](const registration& r) { return !r.public_listing; }),
                   list.end());
        sort_bulgarian(list, false);
        json::array people;
        for (const auto& r : list) people.push_back(json::object{{"name", r.name}, {"organisation", r.organisation}});
        bool empty = people.empty();
        json::object data{{"title", a.texts.text(ctx.lang, "participants_title") + ": " + e->title},
                          {"event", events::to_view(*e, a.texts, ctx.lang)},
                          {"people", std::move(people)},
                          {"empty", empty}};
        return app::render_page(a, ctx, "events/participants", std::move(data));
    });

    a.router.get("/r/{token}", [&a](http::request& req) {
        return manage_page(a, req, std::string(req.param("token")), "");
    });

    a.router.post("/r/{token}", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        http::fields form;
        if (auto refusal = app::read_form(a, req, form)) return *refusal;
        auto token = std::string(req.param("token"));
        auto conn = a.db.acquire();
        storage::transaction tx(*conn);
        repository repo(*conn);
        auto r = repo.find_by_token(util::token_hash(token));
        if (!r) return app::error_response(a, req, 404, "bad_link");
        auto e = events::repository(*conn).find(r->event_id);
        if (!e) return app::error_response(a, req, 404, "bad_link");
        std::string notice;
        if (app::form_value(form, "action") == "cancel") {
            if (r->status == "cancelled" || r->status == "rejected") return app::error_response(a, req, 409, "already_cancelled");
            // Asked first: cancelling gives the seat away and cannot be taken back.
            if (app::form_value(form, "confirm") != "1") return manage_page(a, req, token, "", true);
            context c{*conn, a.mail, a.cfg.public_base(), a.secret};
            cancel(c, *e, *r);
            audit(*conn, 0, "registration.self_cancel", e->id, r->id, "");  // 0: the participant, no account
            notice = "notice_registration_cancelled";
        } else {
            field_errors errors;
            auto in = input_from_form(form, errors);
            in.email = r->email;  // the address is the registration's identity: not changed here
            in.consent = true;
            in.walk_in = r->email.empty();
            validate(in, errors, parse_form_settings(e->registration_form));
            // Back in the page as typed, each field with its reason: no dead end.
            if (!errors.empty())
                return manage_page(a, req, token, "", false, &form, events::localise(errors, a.texts, ctx.lang), 422);
            apply_details(*r, in);
            repo.update_details(*r);
            audit(*conn, 0, "registration.self_edit", e->id, r->id, "");
            notice = "notice_registration_saved";
        }
        tx.commit();
        return manage_page(a, req, token, notice);
    }, form_limit);

    a.router.get("/r/{token}/event.ics", [&a](http::request& req) {
        auto conn = a.db.acquire();
        auto r = repository(*conn).find_by_token(util::token_hash(std::string(req.param("token"))));
        auto e = r ? events::repository(*conn).find(r->event_id) : std::nullopt;
        if (!e) return app::error_response(a, req, 404, "bad_link");
        http::response res;
        res.body = event_ics(*e, a.cfg.public_base());
        res.set_header("Content-Type", "text/calendar; charset=utf-8");
        res.set_header("Content-Disposition", "attachment; filename=\"event.ics\"");
        res.set_header("Cache-Control", "no-store");
        return res;
    });

    // ---- API ----

    a.router.post("/api/v1/events/{id}/registrations", [&a](http::request& req) {
        std::optional<http::response> refusal;
        auto body = app::parse_json_object(a, req, refusal);
        if (!body) return *refusal;
        auto lang = app::pick_lang(a, req);
        auto id = app::to_id(req.param("id"));
        auto conn = a.db.acquire();
        auto e = id ? events::repository(*conn).find(*id) : std::nullopt;
        if (!e || e->status == "draft") return app::error_response(a, req, 404, "not_found");
        if (!a.registration_limiter.allow(req.remote_addr))
            return app::json_error(429, "too_many_registrations", a.texts.text(lang, "error_too_many_registrations"));
        field_errors errors;
        auto in = input_from_json(*body, errors);
        if (!body->contains("locale")) in.locale = lang;
        validate(in, errors, parse_form_settings(e->registration_form));
        if (!errors.empty())
            return events::validation_failed(a, req, errors);
        if (auto answer = verification_instead(a, req, nullptr, *conn, *e, in)) return *answer;
        context c{*conn, a.mail, a.cfg.public_base(), a.secret};
        auto o = register_for(c, *e, in, now_seconds());
        if (o.what == outcome::refused)
            return app::json_error(o.http_status, o.refusal_key.substr(6), a.texts.text(lang, o.refusal_key));
        if (o.what == outcome::already_registered) {
            // Only the event's organisers may learn that the address is registered; anyone else
            // gets the answer a new registration gets, without a status or link of someone else's.
            auto caller = req.header("authorization").empty() ? std::nullopt : app::request_user(a, req);
            if (caller && event_managed_by(*conn, *caller, e->id))
                return app::json_error(409, "already_registered", a.texts.text(lang, "error_already_registered"));
            return app::json_response(201, json::object{{"status", "received"}});
        }
        auto res = app::json_response(201, with_api_url(a, o.reg, o.token));
        res.set_header("Location", "/api/v1/registrations/" + std::to_string(o.reg.id));
        return res;
    }, 16 * 1024);

    a.router.get("/api/v1/events/{id}/registrations", [&a](http::request& req) {
        auto auth = app::require_api_user(a, req);
        if (auth.refusal) return *auth.refusal;
        auto lang = app::pick_lang(a, req);
        auto conn = a.db.acquire();
        auto e = event_in_path(*conn, auth.user, req);
        if (!e) return app::error_response(a, req, 404, "not_found");
        auto status = req.query_param("status").value_or("");
        auto q = req.query_param("q").value_or("");
        if (!util::valid_utf8(q) || !util::valid_utf8(status))
            return app::json_error(400, "bad_query", a.texts.text(lang, "error_invalid_utf8"));
        std::int64_t total = 0;
        json::array items;
        for (const auto& r : repository(*conn).list(e->id, status, util::to_lower_utf8(q), app::query_int(req, "limit", 100, 1, 1000),
                                                    app::query_int(req, "offset", 0, 0, 1'000'000'000), &total))
            items.push_back(to_json(r));
        return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
    });

    a.router.add("PATCH", "/api/v1/registrations/{id}", [&a](http::request& req) {
        app::api_auth auth;
        boost::json::object body;
        if (auto refusal = app::read_api_write(a, req, auth, body)) return *refusal;
        auto lang = app::pick_lang(a, req);
        auto id = app::to_id(req.param("id"));
        auto conn = a.db.acquire();
        storage::transaction tx(*conn);
        repository repo(*conn);
        auto r = id ? repo.find(*id) : std::nullopt;
        auto e = r ? event_managed_by(*conn, auth.user, r->event_id) : std::nullopt;
        if (!r || !e)
            return app::error_response(a, req, 404, "not_found");
        field_errors errors;
        std::optional<std::string> new_status;
        std::optional<bool> checked_in;
        json::object details;
        for (const auto& [key, value] : body) {
            std::string k(key);
            if (k == "status") {
                if (value.is_string()) new_status = std::string(value.get_string());
                else errors[k] = {"error_must_be_text", {}};
            } else if (k == "checked_in") {
                if (value.is_bool()) checked_in = value.get_bool();
                else errors[k] = {"error_must_be_bool", {}};
            } else if (k == "name" || k == "organisation" || k == "position" || k == "organisation_type" || k == "town" ||
                       k == "phone" || k == "public_listing" || k == "answers") {
                details[k] = value;
            } else {
                errors[util::valid_utf8(k) ? k : std::string("?")] = {"error_unknown_field", {}};
            }
        }
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
        if (!errors.empty())
            return events::validation_failed(a, req, errors);
        if (!details.empty()) {
            apply_details(*r, in);
            repo.update_details(*r);
        }
        if (new_status) {
            context c{*conn, a.mail, a.cfg.public_base(), a.secret};
            if (auto refused = set_status(c, *e, *r, *new_status))
                return app::json_error(*refused == "error_event_full" ? 409 : 422, refused->substr(6), a.texts.text(lang, *refused));
        }
        if (checked_in) repo.set_checked_in(r->id, *checked_in);
        audit(*conn, auth.user.id, "registration.api_patch", e->id, r->id, req.body.substr(0, 500));
        tx.commit();
        return app::json_response(200, to_json(*repo.find(r->id)));
    }, 16 * 1024);

    register_verification_routes(a);
    register_cancellation_routes(a);
    register_record_routes(a);
    register_card_routes(a);
    register_scheduled_routes(a);
    register_mail_text_routes(a);
}

}  // namespace sabor::registration
