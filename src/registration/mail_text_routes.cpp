#include "registration/mail_text_routes.hpp"

#include "app/app.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "events/repository.hpp"
#include "events/routes.hpp"
#include "storage/audit_log.hpp"
#include "registration/mail_texts.hpp"
#include "mail/texts_repository.hpp"
#include "view/dates.hpp"
#include "view/json_fields.hpp"

#include <boost/json.hpp>

namespace sabor::registration {
namespace {

using app::access;
using app::application;
using app::call;
namespace json = boost::json;

std::string base_path(const events::event& e) { return "/admin/events/" + std::to_string(e.id) + "/mail-texts"; }

std::string lang_of(std::string_view v) { return v == "en" ? "en" : "bg"; }

// The sample registrant of a preview: the organiser, so the greeting reads naturally.
std::string sample_name(application& a, const accounts::user& u, const std::string& lang) {
    return u.name.empty() ? a.texts.text(lang, "mail_texts_sample_name") : u.name;
}

json::object preview_json(application& a, const events::event& e, const mail::editable_kind& k, const std::string& lang,
                          const std::string& name, const mail::mail_text& t) {
    auto r = a.mail.render(std::string(k.kind), lang, preview_data(a.cfg.public_base(), e, k, lang, name), t);
    return json::object{{"subject", r.subject}, {"text", r.text}, {"html", r.html}};
}


http::response list_page(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto texts = mail_texts_of(a.mail, c.db(), e.id);
    json::array rows;
    for (const auto& k : mail::editable_kinds()) {
        json::array langs;
        for (std::string lang : {"bg", "en"}) {
            const auto* t = find_text(texts, k.kind, lang);
            auto when = t->customised ? view::parse_stored_utc(t->updated_at) : std::nullopt;
            langs.push_back(json::object{
                {"lang_label", a.texts.text(c.lang(), "mail_texts_lang_" + lang)},
                {"state", t->customised ? a.texts.text(c.lang(), "mail_texts_state_own") +
                                              (when ? " (" + view::format_date_time(*when, e.timezone, c.lang()) + ")" : "")
                                        : a.texts.text(c.lang(), "mail_texts_state_default")},
                {"customised", t->customised},
                {"subject", t->text.subject},
                {"edit_url", base_path(e) + "/" + std::string(k.kind) + "?lang=" + lang}});
        }
        rows.push_back(json::object{{"label", a.texts.text(c.lang(), "mail_texts_kind_" + std::string(k.kind))},
                                    {"when_sent", a.texts.text(c.lang(), "mail_texts_when_" + std::string(k.kind))},
                                    {"langs", std::move(langs)}});
    }
    json::object data{{"title", a.texts.text(c.lang(), "mail_texts_title") + ": " + e.title},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"rows", std::move(rows)}};
    return c.page("admin/mail_texts", std::move(data));
}

struct edit_state {
    mail::mail_text text;          // as shown in the form
    std::map<std::string, std::string> errors;
    std::string notice;            // a catalog key
    bool ask_reset = false;
};

http::response edit_page(call& c, const events::event& e, const mail::editable_kind& k, const std::string& lang,
                         const event_mail_text& stored, const edit_state& s, int status) {
    auto& a = c.app;
    app::csrf_token(a, c.req, c.ctx);
    const auto& d = a.mail.default_text(k.kind, lang);
    json::array names;
    for (auto p : k.placeholders)
        names.push_back(json::object{{"tag", "{{" + std::string(p) + "}}"},
                                     {"meaning", a.texts.text(c.lang(), "mail_texts_ph_" + std::string(p))}});
    auto err = [&](const char* f) {
        auto it = s.errors.find(f);
        return it == s.errors.end() ? std::string{} : it->second;
    };
    std::string other = lang == "bg" ? "en" : "bg";
    json::object mail_form{
        {"kind", k.kind},
        {"mail_lang", lang},
        {"action", base_path(e) + "/" + std::string(k.kind)},
        {"other_lang_url", base_path(e) + "/" + std::string(k.kind) + "?lang=" + other},
        {"other_lang_label", a.texts.text(c.lang(), "mail_texts_edit_in_" + other)},
        {"lang_label", a.texts.text(c.lang(), "mail_texts_lang_" + lang)},
        {"subject", s.text.subject},
        {"text", s.text.body},
        {"error_subject", err("subject")},
        {"error_text", err("text")},
        {"has_errors", !s.errors.empty()},
        {"customised", stored.customised},
        {"ask_reset", s.ask_reset},
        {"default_subject", d.subject},
        {"default_text", d.body},
        {"placeholders", std::move(names)}};
    json::object data{{"title", a.texts.text(c.lang(), "mail_texts_kind_" + std::string(k.kind)) + " · " + e.title},
                      {"event", events::to_view(e, a.texts, c.lang())},
                      {"kind_label", a.texts.text(c.lang(), "mail_texts_kind_" + std::string(k.kind))},
                      {"when_sent", a.texts.text(c.lang(), "mail_texts_when_" + std::string(k.kind))},
                      {"list_url", base_path(e)},
                      {"mail_form", std::move(mail_form)},
                      {"notice", s.notice.empty() ? std::string{} : a.texts.text(c.lang(), s.notice)}};
    // The preview shows what the form holds, so long as it can be sent that way.
    if (s.errors.empty())
        data["preview"] = preview_json(a, e, k, lang, sample_name(a, c.user(), lang), s.text);
    auto res = c.page("admin/mail_text", std::move(data), status);
    // The preview frame shows the mail with its own inline styles; sandboxed, so no script
    // runs and it reaches nothing.
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
                   "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    return res;
}

// A text to save, or nullopt for back to the default.
using change = std::pair<const event_mail_text*, std::optional<mail::mail_text>>;

// One item of PUT: {"kind", "lang", "subject"?, "text"?, "default"?: true}; the read-only
// fields of GET may come back as read. Errors under `prefix`.
void apply_item(const std::vector<event_mail_text>& texts, const json::value& v, const std::string& prefix,
                view::field_errors& errors, std::vector<change>& changes) {
    if (!v.is_object()) return void(errors[prefix.empty() ? "body" : prefix.substr(0, prefix.size() - 1)] = {"error_must_be_object", {}});
    using view::json_type;
    static constexpr view::json_field fields[] = {
        {.name = "kind", .type = json_type::text, .required = true, .error = "error_mail_text_kind"},
        {.name = "lang", .type = json_type::text, .required = true, .error = "error_mail_text_lang"},
        {.name = "subject", .type = json_type::text},
        {.name = "text", .type = json_type::text},
        {.name = "default", .type = json_type::boolean},
        {.name = "customised", .ignored = true},
        {.name = "updated_at", .ignored = true},
        {.name = "default_subject", .ignored = true},
        {.name = "default_text", .ignored = true},
        {.name = "placeholders", .ignored = true},
    };
    view::json_fields in(v.get_object(), fields, errors, prefix);
    auto kind = in.text("kind");
    auto lang = in.text("lang");
    const mail::editable_kind* k = kind ? mail::find_editable(*kind) : nullptr;
    if (!k) return void(errors[prefix + "kind"] = {"error_mail_text_kind", {}});
    if (!lang || (*lang != "bg" && *lang != "en")) return void(errors[prefix + "lang"] = {"error_mail_text_lang", {}});
    const auto* current = find_text(texts, k->kind, *lang);
    if (in.boolean("default").value_or(false)) return void(changes.emplace_back(current, std::nullopt));
    mail::mail_text t = current->text;
    if (auto x = in.text("subject")) t.subject = *x;
    if (auto x = in.text("text")) t.body = *x;
    check_mail_text(*k, t, prefix, errors);
    changes.emplace_back(current, std::move(t));
}

// ---- pages ----

http::response show_kind(call& c) {
    const auto* k = mail::find_editable(c.req.param("kind"));
    if (!k) return c.error(404, "not_found");
    auto e = events::the_event(c);
    auto lang = lang_of(c.req.query_param("lang").value_or(c.lang()));
    auto texts = mail_texts_of(c.app.mail, c.db(), e.id);
    const auto* stored = find_text(texts, k->kind, lang);
    edit_state s{stored->text, {}, "", false};
    if (c.req.query_param("saved")) s.notice = "mail_texts_notice_saved";
    if (c.req.query_param("reset")) s.notice = "mail_texts_notice_reset";
    return edit_page(c, e, *k, lang, *stored, s, 200);
}

// action=preview shows the typed text filled in; action=save keeps it (a text equal to
// the default is the default again).
http::response save_kind(call& c) {
    auto& a = c.app;
    const auto* k = mail::find_editable(c.req.param("kind"));
    if (!k) return c.error(404, "not_found");
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    auto lang = lang_of(app::form_value(c.form, "lang"));
    auto texts = mail_texts_of(a.mail, c.db(), e.id);
    const auto* stored = find_text(texts, k->kind, lang);
    edit_state s{{app::form_value(c.form, "subject"), app::form_value(c.form, "text")}, {}, "", false};
    view::field_errors errors;
    check_mail_text(*k, s.text, "", errors);
    s.errors = view::localise(errors, a.texts, c.lang());
    if (!errors.empty()) return edit_page(c, e, *k, lang, *stored, s, 422);
    if (app::form_value(c.form, "action") != "save") {
        s.notice = "mail_texts_notice_preview";
        return edit_page(c, e, *k, lang, *stored, s, 200);
    }
    store_mail_text(c.db(), a.mail, e.id, *k, lang, s.text, c.user().id);
    storage::audit(c.db(), c.user().id, "event.mail_text", e.id, e.id, std::string(k->kind) + " " + lang);
    tx.commit();
    return http::response::redirect(base_path(e) + "/" + std::string(k->kind) + "?lang=" + lang + "&saved=1");
}

// Back to the default: asks first (the event's own text is gone afterwards).
http::response reset_kind(call& c) {
    const auto* k = mail::find_editable(c.req.param("kind"));
    if (!k) return c.error(404, "not_found");
    storage::transaction tx(c.db());
    auto e = events::the_event(c);
    auto lang = lang_of(app::form_value(c.form, "lang"));
    if (app::form_value(c.form, "confirm") != "1") {
        auto texts = mail_texts_of(c.app.mail, c.db(), e.id);
        const auto* stored = find_text(texts, k->kind, lang);
        edit_state s{stored->text, {}, "", true};
        return edit_page(c, e, *k, lang, *stored, s, 200);
    }
    if (mail::texts_repository(c.db()).remove(e.id, k->kind, lang))
        storage::audit(c.db(), c.user().id, "event.mail_text_reset", e.id, e.id, std::string(k->kind) + " " + lang);
    tx.commit();
    return http::response::redirect(base_path(e) + "/" + std::string(k->kind) + "?lang=" + lang + "&reset=1");
}

// ---- JSON API ----

http::response api_list(call& c) {
    return app::json_response(200, list_json(mail_texts_of(c.app.mail, c.db(), c.event_id), c.app.mail));
}

// {"items": [{"kind", "lang", "subject", "text"} or {"kind", "lang", "default": true}]}:
// all or nothing; a field left out keeps its text.
http::response api_put(call& c) {
    auto& a = c.app;
    auto& db = c.db();
    storage::transaction tx(db);
    auto event_id = c.event_id;
    auto texts = mail_texts_of(a.mail, db, event_id);
    view::field_errors errors;
    std::vector<change> changes;
    static constexpr view::json_field fields[] = {
        {.name = "items", .type = view::json_type::list, .required = true, .error = "error_must_be_list"}};
    view::json_fields in(c.body, fields, errors);
    if (auto* items = in.list("items"))
        for (std::size_t i = 0; i < items->size(); ++i)
            apply_item(texts, (*items)[i], "items[" + std::to_string(i) + "].", errors, changes);
    if (!errors.empty()) return app::validation_failed(a, c.req, errors);
    mail::texts_repository repo(db);
    for (const auto& [t, text] : changes) {
        if (text) store_mail_text(db, a.mail, event_id, *t->kind, t->lang, *text, c.user().id);
        else repo.remove(event_id, t->kind->kind, t->lang);
    }
    storage::audit(db, c.user().id, "event.mail_text", event_id, event_id, c.req.body.substr(0, 500));
    tx.commit();
    return app::json_response(200, list_json(mail_texts_of(a.mail, db, event_id), a.mail));
}

// {"kind", "lang", "subject"?, "text"?}: the mail as it would go out, for a made-up
// registrant; nothing is saved.
http::response api_preview(call& c) {
    auto& a = c.app;
    auto e = events::the_event(c);
    auto texts = mail_texts_of(a.mail, c.db(), e.id);
    view::field_errors errors;
    std::vector<change> changes;
    apply_item(texts, c.body, "", errors, changes);
    if (!errors.empty()) return app::validation_failed(a, c.req, errors);
    const auto& [t, text] = changes.front();
    auto lang = t->lang;
    return app::json_response(200, preview_json(a, e, *t->kind, lang, sample_name(a, c.user(), lang),
                                                text ? *text : a.mail.default_text(t->kind->kind, lang)));
}

}  // namespace

void register_mail_text_routes(application& a) {
    using app::route;
    route(a, "GET", "/admin/events/{id}/mail-texts").allow(access::event_manager).handle(list_page);
    route(a, "GET", "/admin/events/{id}/mail-texts/{kind}").allow(access::event_manager).handle(show_kind);
    route(a, "POST", "/admin/events/{id}/mail-texts/{kind}").allow(access::event_manager).form().handle(save_kind);
    route(a, "POST", "/admin/events/{id}/mail-texts/{kind}/reset").allow(access::event_manager).form()
        .handle(reset_kind);

    route(a, "GET", "/api/v1/events/{id}/mail-texts").allow(access::event_manager).handle(api_list);
    route(a, "PUT", "/api/v1/events/{id}/mail-texts").allow(access::event_manager).json(256 * 1024).handle(api_put);
    route(a, "POST", "/api/v1/events/{id}/mail-texts/preview").allow(access::event_manager).json(64 * 1024)
        .handle(api_preview);
}

}  // namespace sabor::registration
