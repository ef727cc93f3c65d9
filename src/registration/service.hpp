// The rules of registration: validating what people type, deciding seats inside the write
// transaction (never from an earlier count), the waiting list and its promotions, and the
// mail each step sends through the outbox in the same transaction.
#pragma once
#include "events/model.hpp"
#include "events/service.hpp"
#include "registration/form.hpp"
#include "registration/model.hpp"
#include "registration/refusal.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sabor::mail {
class composer;
}

namespace sabor::registration {

using view::field_error;
using view::field_errors;

struct input {
    std::string name, email, organisation, position, organisation_type, town, phone;
    bool consent = false;
    bool public_listing = false;
    std::string locale = "bg";
    bool honeypot_filled = false;  // a field people never see was filled: a bot
    bool walk_in = false;          // added at the desk: e-mail optional, no consent box
    std::string invitation;        // the personal invitation's token, when registering through one
    // Answers as they came (JSON "answers", or the whole form), checked by validate().
    boost::json::value answers_json;
    std::vector<std::pair<std::string, std::string>> form;
    bool from_form = false;
    bool check_answers = true;  // false: an edit that does not touch the answers
    boost::json::object answers;  // checked answers
};

input input_from_json(const boost::json::object& body, field_errors& errors);
input input_from_form(const std::vector<std::pair<std::string, std::string>>& form, field_errors& errors);
// Required fields (the event's form settings say which), lengths, UTF-8, control
// characters, a usable address, consent, and the answers to the organiser's questions.
void validate(input& in, field_errors& errors, const form_settings& settings = {});
// Copies the details a participant or organiser may change (not the address, not consent).
void apply_details(registration& r, const input& in);

struct outcome {
    enum kind { created, already_registered, refused } what = refused;
    registration reg;
    std::string token;  // the personal link's token, only when created
    refusal why = refusal::unknown_value;  // when refused
};

struct context {
    storage::database& db;
    const mail::composer& mail;
    std::string public_base;
    std::string secret;  // for check-in codes in confirmation mails
};

// Registers (or tells an existing registrant, mailing their personal link again).
outcome register_for(context& c, const events::event& e, const input& in, std::int64_t now);
// Why the event takes no registration now (not published, over, closed, invitation only
// without an invitation, not yet open, deadline passed), or nothing when it does.
std::optional<outcome> closed_for(const events::event& e, const input& in, std::int64_t now);
// register_for's work after those checks, inside the caller's transaction (which it does
// not commit; a refusal must be rolled back by the caller).
outcome register_in_transaction(context& c, const events::event& e, const input& in);
// Cancels; a freed seat goes at once to the first on the waiting list. Call inside a transaction.
void cancel(context& c, const events::event& e, registration& r);
// An organiser's decision: confirmed, rejected, cancelled, waitlisted. Call inside a transaction.
// Returns a message key when the change is refused (e.g. confirming beyond capacity, unless
// `beyond_capacity`: the organiser admits someone at the door of a full room).
std::optional<refusal> set_status(context& c, const events::event& e, registration& r, registration_status status,
                                  bool beyond_capacity = false);
// Fills free seats from the waiting list (after a capacity increase). Call inside a transaction.
int promote_waiting(context& c, const events::event& e);
// A walk-in at the desk, confirmed and checked in beyond capacity; an address already
// registered checks that registration in. With an address, the confirmation (and so the
// personal link for the materials) is mailed. Call inside a transaction.
registration add_walk_in(context& c, const events::event& e, const input& in);

// Tells everyone still expecting to come (pending, confirmed, waitlisted, with an address)
// that the event is cancelled, with the organiser's message (may be empty). A transactional
// mail: it goes to unsubscribed addresses too. Registrations keep their status. Call inside
// the transaction that cancels the event; returns how many were told.
int notify_event_cancelled(context& c, const events::event& e, const std::string& message);

std::string manage_url(const std::string& public_base, const std::string& token);
// What every registration mail's templates read: name, event_title, event_when,
// event_where, event_url, manage_url ("" for none).
boost::json::object mail_data(const std::string& public_base, const events::event& e, const std::string& name,
                              const std::string& locale, const std::string& manage_link);
// The event as an iCalendar file: attached to confirmations, downloadable from the personal page.
std::string event_ics(const events::event& e, const std::string& public_base);
boost::json::object to_json(const registration& r);

}  // namespace sabor::registration
