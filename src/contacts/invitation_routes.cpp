#include "contacts/invitation_routes.hpp"

#include "app/routes.hpp"
#include "app/web.hpp"
#include "contacts/invitations.hpp"
#include "contacts/refusal.hpp"
#include "contacts/repository.hpp"
#include "contacts/service.hpp"
#include "mail/unsubscribe.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "storage/audit_log.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <set>

namespace sabor::contacts {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;
using util::now_seconds;

invite_context ctx_for(application& a, storage::database& db) { return {db, a.mail, a.cfg.public_base(), a.secret}; }


// Creates a campaign and, when due now, queues its invitations, in one transaction. Returns
// the campaign with its counts, or the refusal.
struct created {
    std::optional<campaign> camp;
    queue_result queued;
    std::optional<campaign_refusal> refused;
};
created create_campaign(application& a, storage::database& db, const events::event& e, campaign c, std::int64_t user_id,
                        std::int64_t now) {
    created out;
    if (e.status != events::event_status::published) {
        out.refused = campaign_refusal::event_not_published;
        return out;
    }
    auto ic = ctx_for(a, db);
    storage::transaction tx(db);
    repository repo(db);
    c.event_id = e.id;
    c.created_by = user_id;
    c.created_at = view::format_iso_utc(now);
    c.status = campaign_status::scheduled;
    c.id = repo.insert_campaign(c);
    if (c.send_at <= view::format_iso_utc(now)) out.queued = queue_campaign(ic, e, c, now);
    storage::audit(db, user_id, "invitations.campaign", e.id, c.id,
                        c.status == campaign_status::queued ? "invited " + std::to_string(out.queued.invited) : "scheduled " + c.send_at);
    tx.commit();
    out.camp = std::move(c);
    return out;
}

// ---- admin page ----

json::array type_options(application& a, const std::string& lang, const std::string& selected) {
    json::array out{json::object{{"value", ""}, {"label", a.texts.text(lang, "invitation_any_type")}, {"selected", selected.empty()}}};
    for (auto t : {"municipality", "regional_administration", "state_institution", "ngo", "school_or_university", "business", "other"})
        out.push_back(json::object{{"value", t}, {"label", a.texts.text(lang, "orgtype_" + std::string(t))}, {"selected", selected == t}});
    return out;
}

http::response admin_page(call& c, const events::event& e, const http::fields* form, json::object extra, int status) {
    auto& a = c.app;
    auto& req = c.req;
    auto& ctx = c.ctx;
    app::csrf_token(a, req, ctx);
    repository repo(c.db());
    json::array campaigns;
    for (const auto& camp : repo.campaigns(e.id)) {
        auto j = to_json(camp, repo.counts(camp.id));
        j["status_label"] = a.texts.text(ctx.lang, "campaign_status_" + std::string(to_string(camp.status)));
        if (auto t = view::parse_iso8601(camp.send_at)) j["send_at_label"] = view::format_date_time(*t, e.timezone, ctx.lang);
        j["can_resend"] = camp.status == campaign_status::queued;
        j["can_cancel"] = camp.status == campaign_status::scheduled;
        campaigns.push_back(std::move(j));
    }
    std::int64_t total = 0;
    json::array rows;
    auto shown = req.query_param("status").value_or("");
    if (!util::valid_utf8(shown) || shown.size() > 20) shown.clear();
    for (const auto& i : repo.invitations(e.id, 0, shown, 1000, 0, &total)) {
        auto j = to_json(i);
        // One person's state ("изпратена"), not the plural of the column headings.
        j["status_label"] = a.texts.text(ctx.lang, "invitation_state_" + std::string(to_string(i.status())));
        rows.push_back(std::move(j));
    }
    std::set<std::string> chosen;
    std::string type, town, subject, body, send_at, locale = ctx.lang;
    if (form) {
        for (const auto& [k, v] : *form)
            if (k == "tags") chosen.insert(v);
        type = app::form_value(*form, "organisation_type");
        town = app::form_value(*form, "town");
        subject = app::form_value(*form, "subject");
        body = app::form_value(*form, "body");
        send_at = app::form_value(*form, "send_at");
        locale = app::form_value(*form, "locale");
    } else {
        subject = a.texts.text(ctx.lang, "invitation_default_subject");
        body = a.texts.text(ctx.lang, "invitation_default_body");
    }
    json::array tags;
    for (const auto& [tag, n] : repo.tag_counts())
        tags.push_back(json::object{{"value", tag}, {"count", n}, {"checked", chosen.count(tag) > 0}});
    json::array statuses;
    for (auto s : {"queued", "sent", "failed", "registered", "declined"})
        statuses.push_back(json::object{{"value", s}, {"label", a.texts.text(ctx.lang, "invitation_status_" + std::string(s))},
                                        {"selected", shown == s}});
    json::object data{{"title", a.texts.text(ctx.lang, "invitations_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, ctx.lang)},
                      {"event_id", e.id},
                      {"campaigns", std::move(campaigns)},
                      {"has_campaigns", !repo.campaigns(e.id).empty()},
                      {"rows", std::move(rows)},
                      {"total", total},
                      {"tags", std::move(tags)},
                      {"has_tags", !repo.tag_counts().empty()},
                      {"types", type_options(a, ctx.lang, type)},
                      {"statuses", std::move(statuses)},
                      {"values", json::object{{"town", town}, {"subject", subject}, {"body", body}, {"send_at", send_at}}},
                      {"locale_bg", locale != "en"},
                      {"locale_en", locale == "en"},
                      {"placeholders", "{{name}}, {{organisation}}, {{position}}, {{town}}, {{event_title}}, {{event_date}}, {{venue}}, {{event_url}}, {{link}}, {{decline_link}}"},
                      {"published", e.status == events::event_status::published}};
    for (auto& [k, v] : extra) data[k] = std::move(v);
    return c.page("contacts/invitations", std::move(data), status);
}

campaign campaign_from_form(const http::fields& form, const events::event& e, field_errors& errors, std::int64_t now) {
    campaign c;
    for (const auto& [k, v] : form)
        if (k == "tags") c.filter.tags.push_back(v);
    c.filter.all = app::form_value(form, "all") == "1";
    c.filter.organisation_type = app::form_value(form, "organisation_type");
    c.filter.town = app::form_value(form, "town");
    c.subject = app::form_value(form, "subject");
    c.body = app::form_value(form, "body");
    c.locale = app::form_value(form, "locale") == "en" ? "en" : "bg";
    c.send_at = view::format_iso_utc(now);
    if (auto s = app::form_value(form, "send_at"); !s.empty()) {
        auto t = view::parse_local(s, e.timezone);
        if (!t) errors["send_at"] = {"error_bad_time", {}};
        else c.send_at = view::format_iso_utc(std::max(*t, now));
    }
    return c;
}


http::response admin_get(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    json::object extra;
    // Only numbers and sabor's own keys from the address are shown, never its text.
    auto number = [&](const char* name) {
        auto v = c.req.query_param(name).value_or("");
        return std::to_string(app::to_id(v).value_or(0));
    };
    if (c.req.query_param("invited"))
        extra["notice"] = a.texts.text(lang, "notice_invitations_queued", {{"count", number("invited")}, {"skipped", number("skipped")}});
    if (c.req.query_param("scheduled")) extra["notice"] = a.texts.text(lang, "notice_invitations_scheduled");
    if (c.req.query_param("resent"))
        extra["notice"] = a.texts.text(lang, "notice_invitations_resent", {{"count", number("resent")}}) +
                          (number("recent") == "0"
                               ? std::string()
                               : " " + a.texts.text(lang, "notice_resend_skipped_recent", {{"count", number("recent")}}));
    if (c.req.query_param("campaign_cancelled")) extra["notice"] = a.texts.text(lang, "notice_campaign_cancelled");
    if (c.req.query_param("refused") == std::optional<std::string>("campaign_not_scheduled"))
        extra["warning"] = a.texts.text(lang, "error_campaign_not_scheduled");
    return admin_page(c, events::the_event(c), nullptr, std::move(extra), 200);
}

// A preview of the first recipient's message, or the campaign created (sent now or scheduled).
http::response admin_post(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto e = events::the_event(c);
    auto now = now_seconds();
    field_errors errors;
    auto camp = campaign_from_form(c.form, e, errors, now);
    validate(camp, errors);
    if (!errors.empty()) {
        json::array list;
        for (const auto& [k, v] : view::localise(errors, a.texts, lang))
            list.push_back(json::object{{"field", a.texts.text(lang, "invitation_field_" + k)}, {"message", v}});
        return admin_page(c, e, &c.form, json::object{{"errors", std::move(list)}, {"has_errors", true}}, 422);
    }
    if (app::form_value(c.form, "action") == "preview") {
        auto ic = ctx_for(a, c.db());
        auto p = preview_campaign(ic, e, camp, lang);
        json::object extra;
        if (!p) extra["warning"] = a.texts.text(lang, "invitation_no_recipients");
        else
            extra["preview"] = json::object{{"to", p->name + " <" + p->email + ">"}, {"subject", p->subject}, {"body", p->body},
                                            {"recipients", a.texts.text(lang, "invitation_recipients", {{"count", std::to_string(p->recipients)}})},
                                            // The event box under the text, as the message shows it.
                                            {"event_when", view::format_range(e.starts_at, e.ends_at, e.timezone, camp.locale)},
                                            {"event_where", events::where_text(e)},
                                            // The mail's own lines, in the language of the mail.
                                            {"mail_register", a.texts.text(camp.locale, "invitation_preview_register")},
                                            {"mail_personal", a.texts.text(camp.locale, "invitation_preview_personal")},
                                            {"mail_decline", a.texts.text(camp.locale, "invitation_preview_decline")},
                                            {"mail_footer", a.texts.text(camp.locale, "invitation_preview_footer")}};
        return admin_page(c, e, &c.form, std::move(extra), 200);
    }
    auto r = create_campaign(a, c.db(), e, camp, c.user().id, now);
    if (r.refused) return c.error(http_status(*r.refused), std::string(code(*r.refused)), a.texts.text(lang, message_key(*r.refused)));
    auto base = "/admin/events/" + std::to_string(e.id) + "/invitations";
    if (r.camp->status == campaign_status::scheduled) return http::response::redirect(base + "?scheduled=1");
    return http::response::redirect(base + "?invited=" + std::to_string(r.queued.invited) +
                                    "&skipped=" + std::to_string(r.queued.skipped_unsubscribed + r.queued.skipped_invited));
}

// The campaign must be one of this event's (0: all of them); otherwise 404.
bool campaign_of_event(storage::database& db, std::int64_t campaign_id, std::int64_t event_id) {
    if (!campaign_id) return true;
    auto camp = repository(db).find_campaign(campaign_id);
    return camp && camp->event_id == event_id;
}

http::response admin_resend(call& c) {
    auto e = events::the_event(c);
    auto campaign_id = app::to_id(app::form_value(c.form, "campaign_id")).value_or(0);
    storage::transaction tx(c.db());
    if (!campaign_of_event(c.db(), campaign_id, e.id)) return c.error(404, "not_found");
    auto ic = ctx_for(c.app, c.db());
    auto r = resend_unanswered(ic, e, campaign_id, now_seconds());
    storage::audit(c.db(), c.user().id, "invitations.resend", e.id, campaign_id, std::to_string(r.resent));
    tx.commit();
    return http::response::redirect("/admin/events/" + std::to_string(e.id) + "/invitations?resent=" +
                                    std::to_string(r.resent) + "&recent=" + std::to_string(r.skipped_recent));
}

http::response admin_cancel(call& c) {
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto camp = repo.find_campaign(app::to_id(app::form_value(c.form, "campaign_id")).value_or(0));
    if (!camp || camp->event_id != c.event_id) return c.error(404, "not_found");
    auto page = "/admin/events/" + std::to_string(c.event_id) + "/invitations";
    // Sent or cancelled meanwhile: back to the page with the reason.
    if (camp->status != campaign_status::scheduled) return http::response::redirect(page + "?refused=campaign_not_scheduled");
    repo.set_campaign_cancelled(camp->id);
    storage::audit(c.db(), c.user().id, "invitations.cancel", c.event_id, camp->id, "");
    tx.commit();
    return http::response::redirect(page + "?campaign_cancelled=1");
}

// ---- the invitee's pages ----

// GET asks (a mail scanner's visit changes nothing); POST declines.
http::response decline(call& c, bool post) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto token = std::string(c.req.param("token"));
    std::optional<storage::transaction> tx;
    if (post) tx.emplace(c.db());
    repository repo(c.db());
    auto inv = *repo.find_invitation(c.object_id);
    auto e = *events::repository(c.db()).find(inv.event_id);
    if (inv.registration_id) return message_page(c, e.title, a.texts.text(lang, "invitation_already_registered"), {}, 409);
    if (!post) {
        app::csrf_token(a, c.req, c.ctx);
        return message_page(c, e.title, a.texts.text(lang, "invitation_decline_prompt"),
                            json::object{{"action", "/i/" + token + "/decline"}, {"button", a.texts.text(lang, "invitation_decline")},
                                         {"csrf", true}});
    }
    repo.set_declined(inv.id, view::format_iso_utc(now_seconds()));
    tx->commit();
    return message_page(c, e.title, a.texts.text(lang, "invitation_declined"));
}

http::response decline_prompt(call& c) { return decline(c, false); }
http::response decline_confirm(call& c) { return decline(c, true); }

// The token is the address itself, sealed: nothing to look up, so no finder on the route.
http::response unsubscribe(call& c, bool post) {
    auto& a = c.app;
    const auto& lang = c.lang();
    auto token = std::string(c.req.param("token"));
    auto email = mail::unsubscribe_email(a.secret, token);
    if (!email) return c.error(404, "bad_link", a.texts.text(lang, "error_unsubscribe_invalid"));
    auto title = a.texts.text(lang, "unsubscribe_title");
    if (!post)
        return message_page(c, title, a.texts.text(lang, "unsubscribe_prompt", {{"email", *email}}),
                            json::object{{"action", "/u/" + token}, {"button", a.texts.text(lang, "unsubscribe_button")}});
    // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without any cookie or CSRF
    // token; the sealed address in the link is the proof.
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto now_iso = view::format_iso_utc(now_seconds());
    repo.suppress(*email, "unsubscribe", now_iso);
    repo.mark_unsubscribed(*email, now_iso);
    repo.drop_queued_invitations(*email);
    tx.commit();
    return message_page(c, title, a.texts.text(lang, "unsubscribe_done", {{"email", *email}}));
}

http::response unsubscribe_prompt(call& c) { return unsubscribe(c, false); }
http::response unsubscribe_confirm(call& c) { return unsubscribe(c, true); }

// ---- API ----

http::response api_create(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto now = now_seconds();
    field_errors errors;
    auto camp = campaign_from_json(c.body, errors, now);
    if (!c.body.contains("locale")) camp.locale = c.lang();
    validate(camp, errors);
    if (!errors.empty()) return app::validation_failed(a, c.req, errors);
    auto r = create_campaign(a, c.db(), e, camp, c.user().id, now);
    if (r.refused)
        return app::json_error(http_status(*r.refused), std::string(code(*r.refused)),
                               a.texts.text(c.lang(), message_key(*r.refused)));
    auto res = app::json_response(201, to_json(*r.camp, repository(c.db()).counts(r.camp->id)));
    res.set_header("Location", "/api/v1/events/" + std::to_string(e.id) + "/invitations?campaign=" + std::to_string(r.camp->id));
    return res;
}

http::response api_list(call& c) {
    auto status = c.req.query_param("status").value_or("");
    if (!status.empty() && !parse_invitation_status(status))
        return app::json_error(400, "bad_query", c.app.texts.text(c.lang(), "error_unknown_value"));
    std::int64_t total = 0;
    json::array items;
    for (const auto& i : repository(c.db()).invitations(c.event_id, app::query_int(c.req, "campaign", 0, 0, INT64_MAX), status,
                                                       app::query_int(c.req, "limit", 100, 1, 1000),
                                                       app::query_int(c.req, "offset", 0, 0, 1'000'000'000), &total))
        items.push_back(to_json(i));
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_campaigns(call& c) {
    repository repo(c.db());
    json::array items;
    for (const auto& camp : repo.campaigns(c.event_id)) items.push_back(to_json(camp, repo.counts(camp.id)));
    auto total = static_cast<std::int64_t>(items.size());
    return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
}

http::response api_cancel(call& c) {
    storage::transaction tx(c.db());
    repository repo(c.db());
    auto camp = repo.find_campaign(app::to_id(c.req.param("campaign")).value_or(0));
    if (!camp || camp->event_id != c.event_id) return c.error(404, "not_found");
    if (camp->status != campaign_status::scheduled)
        return app::json_error(409, "campaign_not_scheduled", c.app.texts.text(c.lang(), "error_campaign_not_scheduled"));
    repo.set_campaign_cancelled(camp->id);
    storage::audit(c.db(), c.user().id, "invitations.cancel", c.event_id, camp->id, "");
    tx.commit();
    return app::json_response(200, to_json(*repo.find_campaign(camp->id), repo.counts(camp->id)));
}

// The body is optional: {"campaign_id": n} or nothing.
http::response api_resend(call& c) {
    auto& a = c.app;
    const auto& lang = c.lang();
    static constexpr view::json_field fields[] = {
        {.name = "campaign_id", .type = view::json_type::integer, .error = "error_unknown_value"}};
    field_errors errors;
    view::json_fields in(c.body, fields, errors);
    const auto* id = in.get("campaign_id");
    if (id && (!id->is_int64() || id->get_int64() <= 0)) errors["campaign_id"] = {"error_unknown_value", {}};
    // One message for the whole body: an error beside campaign_id's is an unknown field, told first.
    if (errors.size() > errors.count("campaign_id"))
        return app::json_error(422, "validation", a.texts.text(lang, "error_unknown_field"));
    if (!errors.empty()) return app::json_error(422, "validation", a.texts.text(lang, "error_unknown_value"));
    std::int64_t campaign_id = id ? id->get_int64() : 0;
    auto e = events::the_event(c);
    storage::transaction tx(c.db());
    if (!campaign_of_event(c.db(), campaign_id, e.id)) return c.error(404, "not_found");
    auto ic = ctx_for(a, c.db());
    auto r = resend_unanswered(ic, e, campaign_id, now_seconds());
    storage::audit(c.db(), c.user().id, "invitations.resend", e.id, campaign_id, std::to_string(r.resent));
    tx.commit();
    return app::json_response(200, json::object{{"resent", r.resent},
                                                {"skipped", r.skipped_unsubscribed},
                                                {"skipped_recent", r.skipped_recent}});
}

}  // namespace

http::response message_page(call& c, const std::string& title, const std::string& message, json::object extra,
                            int status) {
    json::object data{{"title", title}, {"message", message}};
    for (auto& [k, v] : extra) data[k] = std::move(v);
    auto res = c.page("contacts/message", std::move(data), status);
    res.set_header("Cache-Control", "no-store");
    return res;
}

void register_invitation_routes(application& a) {
    using app::route;

    // An event's invitations are its managers' (access::event_manager); the address book they
    // draw from is every organiser's.
    route(a, "GET", "/admin/events/{id}/invitations").allow(access::event_manager).handle(admin_get);
    route(a, "POST", "/admin/events/{id}/invitations").allow(access::event_manager).form().handle(admin_post);
    route(a, "POST", "/admin/events/{id}/invitations/resend").allow(access::event_manager).form().handle(admin_resend);
    route(a, "POST", "/admin/events/{id}/invitations/cancel").allow(access::event_manager).form().handle(admin_cancel);

    // GET /i/{token}, the registration form an invitation opens, is registration's (routes.cpp).
    route(a, "GET", "/i/{token}/decline").allow(access::personal_link).link("token", invitation_of_link, "invitation_invalid").handle(decline_prompt);
    route(a, "POST", "/i/{token}/decline").allow(access::personal_link).link("token", invitation_of_link, "invitation_invalid").form(4096)
        .handle(decline_confirm);
    route(a, "GET", "/u/{token}").allow(access::personal_link).handle(unsubscribe_prompt);
    // RFC 8058 one-click: no form, no CSRF token (see unsubscribe).
    route(a, "POST", "/u/{token}").allow(access::personal_link).raw(4096).handle(unsubscribe_confirm);

    route(a, "POST", "/api/v1/events/{id}/invitations").allow(access::event_manager).json(64 * 1024).handle(api_create);
    route(a, "GET", "/api/v1/events/{id}/invitations").allow(access::event_manager).handle(api_list);
    route(a, "GET", "/api/v1/events/{id}/invitation-campaigns").allow(access::event_manager).handle(api_campaigns);
    // A scheduled campaign can be called off until it is sent.
    route(a, "POST", "/api/v1/events/{id}/invitation-campaigns/{campaign}/cancel").allow(access::event_manager).raw(1024)
        .handle(api_cancel);
    route(a, "POST", "/api/v1/events/{id}/invitations/resend").allow(access::event_manager).json_optional(4096).handle(api_resend);
}

}  // namespace sabor::contacts
