// What every mail about an event carries so that it can be answered: Reply-To the event's
// contact address, and the data of the signature partials
// (mail-templates/partials/event_signature_{text,html}_{bg,en}, event_contact_*).
#pragma once
#include "events/model.hpp"

namespace sabor::mail {
struct outgoing;
}

namespace sabor::events {

// Sets o.reply_to_* (when the event has a contact address) and these template data keys:
//   organisers_line    the organisers, ", "-joined ("" when none are named)
//   contact_email      the event's contact address ("" when none)
//   contact_phone      the phone as written ("" when none)
//   contact_phone_uri  "tel:+35982..." for a link
//   has_contact        true when there is an address or a phone
void add_mail_contact(mail::outgoing& o, const event& e);

}  // namespace sabor::events
