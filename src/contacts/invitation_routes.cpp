#include "contacts/invitation_routes.hpp"

#include "app/web.hpp"
#include "contacts/invitations.hpp"
#include "contacts/repository.hpp"
#include "contacts/service.hpp"
#include "contacts/unsubscribe.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "registration/admin.hpp"
#include "registration/audit.hpp"
#include "registration/repository.hpp"
#include "registration/routes.hpp"
#include "registration/service.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <set>

namespace sabor::contacts {
namespace {

using app::application;
namespace json = boost::json;
using util::now_seconds;

invite_context ctx_for(application& a, storage::database& db) { return {db, a.mail, a.cfg.public_base(), a.secret}; }

http::response message_page(application& a, app::web_ctx& ctx, const std::string& title, const std::string& message,
                            json::object extra = {}, int status = 200) {
    json::object data{{"title", title}, {"message", message}};
    for (auto& [k, v] : extra) data[k] = std::move(v);
    auto res = app::render_page(a, ctx, "contacts/message", std::move(data), status);
    res.set_header("Cache-Control", "no-store");
    return res;
}

// Creates a campaign and, when due now, queues its invitations, in one transaction. Returns
// the campaign with its counts, or the refusal.
struct created {
    std::optional<campaign> camp;
    queue_result queued;
    int status = 0;
    std::string code, key;
};
created create_campaign(application& a, storage::database& db, const events::event& e, campaign c, std::int64_t user_id,
                        std::int64_t now) {
    created out;
    if (e.status != "published") {
        out.status = 409;
        out.code = "event_not_published";
        out.key = "error_invitation_event_not_published";
        return out;
    }
    auto ic = ctx_for(a, db);
    storage::transaction tx(db);
    repository repo(db);
    c.event_id = e.id;
    c.created_by = user_id;
    c.created_at = view::format_iso_utc(now);
    c.status = "scheduled";
    c.id = repo.insert_campaign(c);
    if (c.send_at <= view::format_iso_utc(now)) out.queued = queue_campaign(ic, e, c, now);
    registration::audit(db, user_id, "invitations.campaign", e.id, c.id,
                        c.status == "queued" ? "invited " + std::to_string(out.queued.invited) : "scheduled " + c.send_at);
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

http::response admin_page(application& a, http::request& req, app::web_ctx& ctx, storage::database& db, const events::event& e,
                          const http::fields* form, json::object extra, int status) {
    app::csrf_token(a, req, ctx);
    repository repo(db);
    json::array campaigns;
    for (const auto& c : repo.campaigns(e.id)) {
        auto j = to_json(c, repo.counts(c.id));
        j["status_label"] = a.texts.text(ctx.lang, "campaign_status_" + c.status);
        if (auto t = view::parse_iso8601(c.send_at)) j["send_at_label"] = view::format_date_time(*t, e.timezone, ctx.lang);
        j["can_resend"] = c.status == "queued";
        j["can_cancel"] = c.status == "scheduled";
        campaigns.push_back(std::move(j));
    }
    std::int64_t total = 0;
    json::array rows;
    auto shown = req.query_param("status").value_or("");
    if (!util::valid_utf8(shown) || shown.size() > 20) shown.clear();
    for (const auto& i : repo.invitations(e.id, 0, shown, 1000, 0, &total)) {
        auto j = to_json(i);
        // One person's state ("изпратена"), not the plural of the column headings.
        j["status_label"] = a.texts.text(ctx.lang, "invitation_state_" + i.status());
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
                      {"published", e.status == "published"}};
    for (auto& [k, v] : extra) data[k] = std::move(v);
    return app::render_page(a, ctx, "contacts/invitations", std::move(data), status);
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

http::response admin_get(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    auto conn = a.db.acquire();
    auto m = registration::load_managed(a, req, ctx, *conn);
    if (m.refusal) return *m.refusal;
    json::object extra;
    // Only numbers and sabor's own keys from the address are shown, never its text.
    auto number = [&](const char* name) {
        auto v = req.query_param(name).value_or("");
        return std::to_string(app::to_id(v).value_or(0));
    };
    if (req.query_param("invited"))
        extra["notice"] = a.texts.text(ctx.lang, "notice_invitations_queued", {{"count", number("invited")}, {"skipped", number("skipped")}});
    if (req.query_param("scheduled")) extra["notice"] = a.texts.text(ctx.lang, "notice_invitations_scheduled");
    if (req.query_param("resent"))
        extra["notice"] = a.texts.text(ctx.lang, "notice_invitations_resent", {{"count", number("resent")}}) +
                          (number("recent") == "0"
                               ? std::string()
                               : " " + a.texts.text(ctx.lang, "notice_resend_skipped_recent", {{"count", number("recent")}}));
    if (req.query_param("campaign_cancelled")) extra["notice"] = a.texts.text(ctx.lang, "notice_campaign_cancelled");
    if (req.query_param("refused") == std::optional<std::string>("campaign_not_scheduled"))
        extra["warning"] = a.texts.text(ctx.lang, "error_campaign_not_scheduled");
    return admin_page(a, req, ctx, *conn, m.e, nullptr, std::move(extra), 200);
}

http::response admin_post(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    auto m = registration::load_managed(a, req, ctx, *conn);
    if (m.refusal) return *m.refusal;
    auto now = now_seconds();
    field_errors errors;
    auto c = campaign_from_form(form, m.e, errors, now);
    validate(c, errors);
    if (!errors.empty()) {
        json::array list;
        for (const auto& [k, v] : events::localise(errors, a.texts, ctx.lang))
            list.push_back(json::object{{"field", a.texts.text(ctx.lang, "invitation_field_" + k)}, {"message", v}});
        return admin_page(a, req, ctx, *conn, m.e, &form, json::object{{"errors", std::move(list)}, {"has_errors", true}}, 422);
    }
    if (app::form_value(form, "action") == "preview") {
        auto ic = ctx_for(a, *conn);
        auto p = preview_campaign(ic, m.e, c, ctx.lang);
        json::object extra;
        if (!p) extra["warning"] = a.texts.text(ctx.lang, "invitation_no_recipients");
        else
            extra["preview"] = json::object{{"to", p->name + " <" + p->email + ">"}, {"subject", p->subject}, {"body", p->body},
                                            {"recipients", a.texts.text(ctx.lang, "invitation_recipients", {{"count", std::to_string(p->recipients)}})},
                                            // The event box under the text, as the message shows it.
                                            {"event_when", view::format_range(m.e.starts_at, m.e.ends_at, m.e.timezone, c.locale)},
                                            {"event_where", registration::where_text(m.e)},
                                            // The mail's own lines, in the language of the mail.
                                            {"mail_register", a.texts.text(c.locale, "invitation_preview_register")},
                                            {"mail_personal", a.texts.text(c.locale, "invitation_preview_personal")},
                                            {"mail_decline", a.texts.text(c.locale, "invitation_preview_decline")},
                                            {"mail_footer", a.texts.text(c.locale, "invitation_preview_footer")}};
        return admin_page(a, req, ctx, *conn, m.e, &form, std::move(extra), 200);
    }
    auto r = create_campaign(a, *conn, m.e, c, m.user.id, now);
    if (!r.camp) return app::error_response(a, req, r.status, r.code, a.texts.text(ctx.lang, r.key));
    auto base = "/admin/events/" + std::to_string(m.e.id) + "/invitations";
    if (r.camp->status == "scheduled") return http::response::redirect(base + "?scheduled=1");
    return http::response::redirect(base + "?invited=" + std::to_string(r.queued.invited) +
                                    "&skipped=" + std::to_string(r.queued.skipped_unsubscribed + r.queued.skipped_invited));
}

http::response admin_resend(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    http::fields form;
    if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    auto m = registration::load_managed(a, req, ctx, *conn);
    if (m.refusal) return *m.refusal;
    auto campaign_id = app::to_id(app::form_value(form, "campaign_id")).value_or(0);
    storage::transaction tx(*conn);
    if (campaign_id) {
        auto camp = repository(*conn).find_campaign(campaign_id);
        if (!camp || camp->event_id != m.e.id) return app::error_response(a, req, 404, "not_found");
    }
    auto ic = ctx_for(a, *conn);
    auto r = resend_unanswered(ic, m.e, campaign_id, now_seconds());
    registration::audit(*conn, m.user.id, "invitations.resend", m.e.id, campaign_id, std::to_string(r.resent));
    tx.commit();
    return http::response::redirect("/admin/events/" + std::to_string(m.e.id) + "/invitations?resent=" +
                                    std::to_string(r.resent) + "&recent=" + std::to_string(r.skipped_recent));
}

// ---- the invitee's pages ----

http::response invitation_page(application& a, http::request& req) {
    auto ctx = app::page_context(a, req);
    auto token = std::string(req.param("token"));
    auto conn = a.db.acquire();
    auto inv = token.size() > 200 ? std::nullopt : repository(*conn).find_invitation_by_token(util::token_hash(token));
    auto e = inv ? events::repository(*conn).find(inv->event_id) : std::nullopt;
    if (!inv || !e) return app::error_response(a, req, 404, "bad_link", a.texts.text(ctx.lang, "error_invitation_invalid"));
    if (inv->registration_id)
        return message_page(a, ctx, e->title, a.texts.text(ctx.lang, "invitation_already_registered"));
    if (e->status != "published" || e->ends_at < now_seconds() || e->registration_mode == "closed")
        return message_page(a, ctx, e->title, a.texts.text(ctx.lang, e->status == "cancelled" ? "error_event_cancelled" : "error_registration_closed"), {}, 409);
    http::fields prefill{{"email", inv->email}, {"name", inv->name}, {"invitation", token}};
    if (inv->contact_id)
        if (auto c = repository(*conn).find(*inv->contact_id)) {
            prefill.emplace_back("organisation", c->organisation);
            prefill.emplace_back("position", c->position);
            prefill.emplace_back("organisation_type", c->organisation_type);
            prefill.emplace_back("town", c->town);
            prefill.emplace_back("phone", c->phone);
        }
    json::object extra{{"decline_action", "/i/" + token + "/decline"}};
    if (!inv->declined_at.empty()) extra["notice"] = a.texts.text(ctx.lang, "invitation_declined_before");
    auto res = registration::prefilled_form_page(a, req, ctx, *e, prefill, std::move(extra));
    res.set_header("Cache-Control", "no-store");
    return res;
}

http::response decline(application& a, http::request& req, bool post) {
    auto ctx = app::page_context(a, req);
    auto token = std::string(req.param("token"));
    http::fields form;
    if (post)
        if (auto refusal = app::read_form(a, req, form)) return *refusal;
    auto conn = a.db.acquire();
    std::optional<storage::transaction> tx;
    if (post) tx.emplace(*conn);
    repository repo(*conn);
    auto inv = token.size() > 200 ? std::nullopt : repo.find_invitation_by_token(util::token_hash(token));
    auto e = inv ? events::repository(*conn).find(inv->event_id) : std::nullopt;
    if (!inv || !e) return app::error_response(a, req, 404, "bad_link", a.texts.text(ctx.lang, "error_invitation_invalid"));
    if (inv->registration_id) return message_page(a, ctx, e->title, a.texts.text(ctx.lang, "invitation_already_registered"), {}, 409);
    if (!post) {
        app::csrf_token(a, req, ctx);
        return message_page(a, ctx, e->title, a.texts.text(ctx.lang, "invitation_decline_prompt"),
                            json::object{{"action", "/i/" + token + "/decline"}, {"button", a.texts.text(ctx.lang, "invitation_decline")},
                                         {"csrf", true}});
    }
    repo.set_declined(inv->id, view::format_iso_utc(now_seconds()));
    tx->commit();
    return message_page(a, ctx, e->title, a.texts.text(ctx.lang, "invitation_declined"));
}

http::response unsubscribe(application& a, http::request& req, bool post) {
    auto ctx = app::page_context(a, req);
    auto token = std::string(req.param("token"));
    auto email = unsubscribe_email(a.secret, token);
    if (!email) return app::error_response(a, req, 404, "bad_link", a.texts.text(ctx.lang, "error_unsubscribe_invalid"));
    auto title = a.texts.text(ctx.lang, "unsubscribe_title");
    if (!post)
        return message_page(a, ctx, title, a.texts.text(ctx.lang, "unsubscribe_prompt", {{"email", *email}}),
                            json::object{{"action", "/u/" + token}, {"button", a.texts.text(ctx.lang, "unsubscribe_button")}});
    // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without any cookie or CSRF
    // token; the sealed address in the link is the proof.
    auto conn = a.db.acquire();
    storage::transaction tx(*conn);
    repository repo(*conn);
    auto now_iso = view::format_iso_utc(now_seconds());
    repo.suppress(*email, "unsubscribe", now_iso);
    repo.mark_unsubscribed(*email, now_iso);
    repo.drop_queued_invitations(*email);
    tx.commit();
    return message_page(a, ctx, title, a.texts.text(ctx.lang, "unsubscribe_done", {{"email", *email}}));
}

}  // namespace

void register_invitation_routes(application& a) {
    auto form_limit = static_cast<std::size_t>(a.cfg.server.form_max_bytes);

    a.router.get("/admin/events/{id}/invitations", [&a](http::request& req) { return admin_get(a, req); });
    a.router.post("/admin/events/{id}/invitations", [&a](http::request& req) { return admin_post(a, req); }, form_limit);
    a.router.post("/admin/events/{id}/invitations/resend", [&a](http::request& req) { return admin_resend(a, req); }, form_limit);
    a.router.post("/admin/events/{id}/invitations/cancel", [&a](http::request& req) {
        auto ctx = app::page_context(a, req);
        http::fields form;
        if (auto refusal = app::read_form(a, req, form)) return *refusal;
        auto conn = a.db.acquire();
        auto m = registration::load_managed(a, req, ctx, *conn);
        if (m.refusal) return *m.refusal;
        storage::transaction tx(*conn);
        repository repo(*conn);
        auto camp = repo.find_campaign(app::to_id(app::form_value(form, "campaign_id")).value_or(0));
        if (!camp || camp->event_id != m.e.id) return app::error_response(a, req, 404, "not_found");
        auto page = "/admin/events/" + std::to_string(m.e.id) + "/invitations";
        // Sent or cancelled meanwhile: back to the page with the reason.
        if (camp->status != "scheduled") return http::response::redirect(page + "?refused=campaign_not_scheduled");
        repo.set_campaign_cancelled(camp->id);
        registration::audit(*conn, m.user.id, "invitations.cancel", m.e.id, camp->id, "");
        tx.commit();
        return http::response::redirect(page + "?campaign_cancelled=1");
    }, form_limit);

    a.router.get("/i/{token}", [&a](http::request& req) { return invitation_page(a, req); });
    a.router.get("/i/{token}/decline", [&a](http::request& req) { return decline(a, req, false); });
    a.router.post("/i/{token}/decline", [&a](http::request& req) { return decline(a, req, true); }, 4096);
    a.router.get("/u/{token}", [&a](http::request& req) { return unsubscribe(a, req, false); });
    a.router.post("/u/{token}", [&a](http::request& req) { return unsubscribe(a, req, true); }, 4096);

    // ---- API ----

    a.router.post("/api/v1/events/{id}/invitations", [&a](http::request& req) {
        app::api_auth auth;
        boost::json::object body;
        if (auto refusal = app::read_api_write(a, req, auth, body)) return *refusal;
        auto lang = app::pick_lang(a, req);
        auto conn = a.db.acquire();
        auto e = registration::event_in_path(*conn, auth.user, req);
        if (!e) return app::error_response(a, req, 404, "not_found");
        auto now = now_seconds();
        field_errors errors;
        auto c = campaign_from_json(body, errors, now);
        if (!body.contains("locale")) c.locale = lang;
        validate(c, errors);
        if (!errors.empty())
            return events::validation_failed(a, req, errors);
        auto r = create_campaign(a, *conn, *e, c, auth.user.id, now);
        if (!r.camp) return app::json_error(r.status, r.code, a.texts.text(lang, r.key));
        auto j = to_json(*r.camp, repository(*conn).counts(r.camp->id));
        auto res = app::json_response(201, j);
        res.set_header("Location", "/api/v1/events/" + std::to_string(e->id) + "/invitations?campaign=" + std::to_string(r.camp->id));
        return res;
    }, 64 * 1024);

    a.router.get("/api/v1/events/{id}/invitations", [&a](http::request& req) {
        auto auth = app::require_api_user(a, req);
        if (auth.refusal) return *auth.refusal;
        auto lang = app::pick_lang(a, req);
        auto conn = a.db.acquire();
        auto e = registration::event_in_path(*conn, auth.user, req);
        if (!e) return app::error_response(a, req, 404, "not_found");
        auto status = req.query_param("status").value_or("");
        if (!status.empty() && status != "queued" && status != "sent" && status != "failed" && status != "registered" && status != "declined")
            return app::json_error(400, "bad_query", a.texts.text(lang, "error_unknown_value"));
        std::int64_t total = 0;
        json::array items;
        for (const auto& i : repository(*conn).invitations(e->id, app::query_int(req, "campaign", 0, 0, INT64_MAX), status,
                                                          app::query_int(req, "limit", 100, 1, 1000),
                                                          app::query_int(req, "offset", 0, 0, 1'000'000'000), &total))
            items.push_back(to_json(i));
        return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
    });

    a.router.get("/api/v1/events/{id}/invitation-campaigns", [&a](http::request& req) {
        auto auth = app::require_api_user(a, req);
        if (auth.refusal) return *auth.refusal;
        auto conn = a.db.acquire();
        auto e = registration::event_in_path(*conn, auth.user, req);
        if (!e) return app::error_response(a, req, 404, "not_found");
        repository repo(*conn);
        json::array items;
        for (const auto& c : repo.campaigns(e->id)) items.push_back(to_json(c, repo.counts(c.id)));
        auto total = static_cast<std::int64_t>(items.size());
        return app::json_response(200, json::object{{"items", std::move(items)}, {"total", total}});
    });

    // A scheduled campaign can be called off until it is sent.
    a.router.post("/api/v1/events/{id}/invitation-campaigns/{campaign}/cancel", [&a](http::request& req) {
        auto auth = app::require_api_user(a, req);
        if (auth.refusal) return *auth.refusal;
        auto lang = app::pick_lang(a, req);
        auto conn = a.db.acquire();
        auto e = registration::event_in_path(*conn, auth.user, req);
        if (!e) return app::error_response(a, req, 404, "not_found");
        storage::transaction tx(*conn);
        repository repo(*conn);
        auto camp = repo.find_campaign(app::to_id(req.param("campaign")).value_or(0));
        if (!camp || camp->event_id != e->id) return app::error_response(a, req, 404, "not_found");
        if (camp->status != "scheduled")
            return app::json_error(409, "campaign_not_scheduled", a.texts.text(lang, "error_campaign_not_scheduled"));
        repo.set_campaign_cancelled(camp->id);
        registration::audit(*conn, auth.user.id, "invitations.cancel", e->id, camp->id, "");
        tx.commit();
        return app::json_response(200, to_json(*repo.find_campaign(camp->id), repo.counts(camp->id)));
    }, 1024);

    a.router.post("/api/v1/events/{id}/invitations/resend", [&a](http::request& req) {
        auto auth = app::require_api_user(a, req);
        if (auth.refusal) return *auth.refusal;
        auto lang = app::pick_lang(a, req);
        std::int64_t campaign_id = 0;
        if (!req.body.empty()) {
            std::optional<http::response> refusal;
            auto body = app::parse_json_object(a, req, refusal);
            if (!body) return *refusal;
            for (const auto& [k, v] : *body) {
                if (k != "campaign_id") return app::json_error(422, "validation", a.texts.text(lang, "error_unknown_field"));
                if (!v.is_int64() || v.get_int64() <= 0) return app::json_error(422, "validation", a.texts.text(lang, "error_unknown_value"));
                campaign_id = v.get_int64();
            }
        }
        auto conn = a.db.acquire();
        auto e = registration::event_in_path(*conn, auth.user, req);
        if (!e) return app::error_response(a, req, 404, "not_found");
        storage::transaction tx(*conn);
        if (campaign_id) {
            auto camp = repository(*conn).find_campaign(campaign_id);
            if (!camp || camp->event_id != e->id) return app::error_response(a, req, 404, "not_found");
        }
        auto ic = ctx_for(a, *conn);
        auto r = resend_unanswered(ic, *e, campaign_id, now_seconds());
        registration::audit(*conn, auth.user.id, "invitations.resend", e->id, campaign_id, std::to_string(r.resent));
        tx.commit();
        return app::json_response(200, json::object{{"resent", r.resent},
                                                    {"skipped", r.skipped_unsubscribed},
                                                    {"skipped_recent", r.skipped_recent}});
    }, 4096);
}

}  // namespace sabor::contacts
