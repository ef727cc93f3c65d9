#include "registration/mail_texts.hpp"

#include "events/mail_contact.hpp"
#include "mail/texts_repository.hpp"
#include "registration/scheduled.hpp"
#include "registration/service.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace sabor::registration {
namespace json = boost::json;

std::vector<event_mail_text> mail_texts_of(const mail::composer& mail, storage::database& db, std::int64_t event_id) {
    auto own = mail::texts_repository(db).for_event(event_id);
    std::vector<event_mail_text> out;
    for (const auto& k : mail::editable_kinds())
        for (std::string lang : {"bg", "en"}) {
            event_mail_text t{&k, lang, mail.default_text(k.kind, lang), false, ""};
            auto it = std::find_if(own.begin(), own.end(),
                                   [&](const mail::stored_text& s) { return s.kind == k.kind && s.lang == lang; });
            if (it != own.end()) {
                t.text = it->text;
                t.customised = true;
                t.updated_at = it->updated_at;
            }
            out.push_back(std::move(t));
        }
    return out;
}

const event_mail_text* find_text(const std::vector<event_mail_text>& texts, std::string_view kind, std::string_view lang) {
    auto it = std::find_if(texts.begin(), texts.end(),
                           [&](const event_mail_text& t) { return t.kind->kind == kind && t.lang == lang; });
    return it == texts.end() ? nullptr : &*it;
}

json::object to_json(const event_mail_text& t, const mail::composer& mail) {
    const auto& d = mail.default_text(t.kind->kind, t.lang);
    json::array names;
    for (auto p : t.kind->placeholders) names.push_back(json::string("{{" + std::string(p) + "}}"));
    return json::object{{"kind", t.kind->kind},
                        {"lang", t.lang},
                        {"subject", t.text.subject},
                        {"text", t.text.body},
                        {"customised", t.customised},
                        {"updated_at", t.customised ? json::value(t.updated_at) : json::value(nullptr)},
                        {"default_subject", d.subject},
                        {"default_text", d.body},
                        {"placeholders", std::move(names)}};
}

json::object list_json(const std::vector<event_mail_text>& texts, const mail::composer& mail) {
    json::array items;
    for (const auto& t : texts) items.push_back(to_json(t, mail));
    return json::object{{"items", std::move(items)}, {"total", texts.size()}};
}

void check_mail_text(const mail::editable_kind& k, mail::mail_text& t, const std::string& prefix,
                     view::field_errors& errors) {
    // Browsers send CR LF; the text is kept with LF only.
    for (auto pos = t.body.find("\r\n"); pos != std::string::npos; pos = t.body.find("\r\n", pos)) t.body.erase(pos, 1);
    t.subject = util::trim(t.subject, " \t");
    t.body = util::trim(t.body, " \t\r\n");
    check_placeholder_text(t.subject, mail::max_text_subject, false, k.placeholders, prefix + "subject", errors);
    check_placeholder_text(t.body, mail::max_text_body, true, k.placeholders, prefix + "text", errors);
}

void store_mail_text(storage::database& db, const mail::composer& mail, std::int64_t event_id,
                     const mail::editable_kind& k, const std::string& lang, const mail::mail_text& t,
                     std::int64_t user_id) {
    mail::texts_repository repo(db);
    const auto& d = mail.default_text(k.kind, lang);
    if (t.subject == d.subject && t.body == d.body) repo.remove(event_id, k.kind, lang);
    else repo.save(event_id, k.kind, lang, t, user_id, view::format_iso_utc(util::now_seconds()));
}

json::object preview_data(const std::string& public_base, const events::event& e, const mail::editable_kind& k,
                          const std::string& lang, const std::string& name) {
    bool has_link = std::find(k.placeholders.begin(), k.placeholders.end(), "manage_url") != k.placeholders.end();
    auto data = mail_data(public_base, e, name, lang, has_link ? public_base + "/r/…" : std::string{});
    if (k.kind == "registration_waitlisted") data["position"] = "3";
    if (k.kind == "materials_online") {
        data["materials_url"] = public_base + "/events/" + e.slug + "/materials";
        data["archive_url"] = public_base + "/events/" + e.slug + "/materials.zip";
    }
    mail::outgoing o;
    o.data = std::move(data);
    events::add_mail_contact(o, e);
    return std::move(o.data);
}

}  // namespace sabor::registration
