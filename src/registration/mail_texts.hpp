// An event's own texts of its registration mails (issue 11 #16): what the organisers' page
// and GET/PUT /api/v1/events/{id}/mail-texts show and change. The kinds, their
// placeholders and the defaults are the mail side's (mail/texts.hpp, mail/composer.hpp);
// here: the list with defaults filled in, the checks, saving (a text equal to the default
// is no text of its own) and the data of a preview.
#pragma once
#include "events/model.hpp"
#include "events/service.hpp"
#include "mail/composer.hpp"
#include "mail/texts.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace sabor::registration {

struct event_mail_text {
    const mail::editable_kind* kind = nullptr;
    std::string lang;     // "bg" or "en"
    mail::mail_text text;  // the event's own, or the default
    bool customised = false;
    std::string updated_at;  // of the event's own text
};

// Every editable kind in both languages, in the page's order.
std::vector<event_mail_text> mail_texts_of(const mail::composer& mail, storage::database& db, std::int64_t event_id);
const event_mail_text* find_text(const std::vector<event_mail_text>& texts, std::string_view kind, std::string_view lang);

boost::json::object to_json(const event_mail_text& t, const mail::composer& mail);
boost::json::object list_json(const std::vector<event_mail_text>& texts, const mail::composer& mail);

// Trims and checks a text about to be saved; errors under `prefix` + "subject" / "text".
void check_mail_text(const mail::editable_kind& k, mail::mail_text& t, const std::string& prefix,
                     view::field_errors& errors);
// Saves a checked text, or removes the event's own when it equals the default.
void store_mail_text(storage::database& db, const mail::composer& mail, std::int64_t event_id,
                     const mail::editable_kind& k, const std::string& lang, const mail::mail_text& t,
                     std::int64_t user_id);

// The data the kind's mail would carry for a made-up registrant named `name`.
boost::json::object preview_data(const std::string& public_base, const events::event& e, const mail::editable_kind& k,
                                 const std::string& lang, const std::string& name);

}  // namespace sabor::registration
