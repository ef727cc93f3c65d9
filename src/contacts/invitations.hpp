// Invitation campaigns: checking them, queueing one personal invitation per matching contact
// (now, or when a scheduled campaign falls due), resending to those who have not answered,
// and what a registration through an invitation link needs.
#pragma once
#include "contacts/model.hpp"
#include "contacts/refusal.hpp"
#include "events/model.hpp"
#include "events/service.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::mail {
class composer;
}

namespace sabor::contacts {

// The placeholders an invitation's subject and text may use.
inline constexpr std::array<std::string_view, 10> invitation_placeholders{
    "name", "organisation", "position", "town", "event_title", "event_date", "venue", "event_url", "link", "decline_link"};

using view::field_errors;

struct invite_context {
    storage::database& db;
    const mail::composer& mail;
    std::string public_base;
    std::string secret;  // for unsubscribe links
};

// A campaign from the API's JSON: tag or tags (or "all": true), organisation_type, town,
// subject, body, locale, send_at (ISO 8601 with an offset). `send_at` is set to now when absent.
campaign campaign_from_json(const boost::json::object& body, field_errors& errors, std::int64_t now);
// Subject (one line), body, placeholders, tags and filters.
void validate(campaign& c, field_errors& errors);

struct queue_result {
    std::int64_t invited = 0, skipped_unsubscribed = 0, skipped_invited = 0;
};
// One invitation and one outbox message per matching contact that is not unsubscribed and
// not yet invited to the event. Call inside a transaction; marks the campaign queued.
queue_result queue_campaign(invite_context& c, const events::event& e, campaign& camp, std::int64_t now);
// Scheduled campaigns due at `now`, each queued in its own transaction. Returns how many.
int run_due_campaigns(invite_context& c, std::int64_t now);

struct resend_result {
    std::int64_t resent = 0, skipped_unsubscribed = 0;
    std::int64_t skipped_recent = 0;  // sent within the last hour: not again so soon
};
// A new message (with a new link; the earlier ones keep working) to each invitation of the
// campaign (0: of the event) that is neither registered nor declined, and was not sent within
// the hour before `now`. Call inside a transaction.
resend_result resend_unanswered(invite_context& c, const events::event& e, std::int64_t campaign_id, std::int64_t now);

// Subject and text as one recipient would get them (links shown as examples).
struct preview {
    std::string email, name, subject, body;
    std::int64_t recipients = 0;  // how many the campaign would go to now
};
std::optional<preview> preview_campaign(invite_context& c, const events::event& e, const campaign& camp,
                                        const std::string& lang);

// For the registration: the invitation behind a token, when it belongs to this event and has
// not been used; else why not.
struct invitation_check {
    std::optional<std::int64_t> id;
    std::optional<invitation_refusal> refused;
};
invitation_check usable_invitation(storage::database& db, std::int64_t event_id, const std::string& token);
void link_registration(storage::database& db, std::int64_t invitation_id, std::int64_t registration_id);
// The personal link's finder (/i/{token}): the token -> its invitation (only the hash is stored).
std::optional<std::int64_t> invitation_of_link(storage::database& db, std::string_view token);

std::string invitation_url(const std::string& public_base, const std::string& token);
boost::json::object to_json(const invitation& i);
boost::json::object to_json(const campaign& c, const campaign_counts& n);

}  // namespace sabor::contacts
