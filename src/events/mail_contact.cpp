#include "events/mail_contact.hpp"

#include "events/service.hpp"
#include "mail/composer.hpp"
#include "mail/message.hpp"

namespace sabor::events {

void add_mail_contact(mail::outgoing& o, const event& e) {
    std::string organisers;
    for (const auto& name : e.organisers) organisers += (organisers.empty() ? "" : ", ") + name;
    // Checked when saved; a stored address that is not usable must not stop the message.
    if (mail::safe_address(e.contact_email)) {
        o.reply_to_address = e.contact_email;
        o.reply_to_name = e.organisers.empty() ? e.title : e.organisers.front();
    }
    o.data["organisers_line"] = organisers;
    o.data["contact_email"] = e.contact_email;
    o.data["contact_phone"] = e.contact_phone;
    o.data["contact_phone_uri"] = e.contact_phone.empty() ? std::string{} : phone_uri(e.contact_phone);
    o.data["has_contact"] = !e.contact_email.empty() || !e.contact_phone.empty();
}

}  // namespace sabor::events
