// Scheduled messages of an event: a reminder to the confirmed registrants a set time before
// the start, a thank-you a set time after the end. Each is on or off, with the organiser's
// subject and text holding {{placeholders}}. The due check is a plain function over the
// database and a time; send_due() queues one outbox message per recipient and marks the
// scheduled message sent in ONE transaction, so a restart never sends twice and a message
// that fell due while the server was down goes out late rather than never.
#pragma once
#include "events/service.hpp"
#include "registration/scheduled_repository.hpp"
#include "view/placeholders.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::mail {
class composer;
}

namespace sabor::registration {

using view::field_errors;

// event_day: the event's day as seen when the message is sent ("днес", "утре", "на 24 декември").
inline constexpr std::array<std::string_view, 8> scheduled_placeholders{
    "name", "organisation", "event_title", "event_date", "event_day", "venue", "event_url", "manage_url"};

// Defaults: the reminder the day before (24 h before the start), the thank-you 2 h after
// the end; both off until the organiser switches them on.
std::int64_t default_offset_minutes(scheduled_kind kind);
inline constexpr std::int64_t max_offset_minutes = 30 * 24 * 60;  // 30 days
inline constexpr std::size_t max_subject = 200;
inline constexpr std::size_t max_body = 10000;

// An organiser's text with placeholders: valid UTF-8, no control characters (line breaks
// only when `multiline`), not blank, at most `max` characters, only `allowed` names.
void check_placeholder_text(const std::string& v, std::size_t max, bool multiline, view::placeholder_names allowed,
                            const std::string& key, field_errors& errors);

// The first placeholder in `text` that is not offered, as written (view::placeholder_text);
// nothing when all are known.
std::optional<std::string> bad_placeholder(std::string_view text);
// Replaces each {{placeholder}} by its value (plain text; HTML is escaped later).
std::string fill_placeholders(std::string_view text, const std::map<std::string, std::string, std::less<>>& values);
bool uses_placeholder(std::string_view text, std::string_view name);

// Checks a message as edited: subject (one line) and text required, lengths, UTF-8,
// known placeholders, the offset within 0..30 days. Errors keyed "<kind>_<field>".
void check_message(const scheduled_message& m, field_errors& errors);
// Applies {"enabled", "offset_minutes", "subject", "body"} (each optional) from the API.
void apply_json(scheduled_message& m, const boost::json::value& v, field_errors& errors);
boost::json::object to_json(const scheduled_message& m, std::int64_t due_at, const std::string& tz);

// When it falls due (Unix seconds).
std::int64_t due_at(const scheduled_message& m, std::int64_t starts_at, std::int64_t ends_at);

enum class due_action { send, skip };
struct due_message {
    pending_message p;
    due_action action = due_action::send;
};
// What is due at `now`: enabled, unsent messages of published events whose time has come.
// A reminder whose event is already over is skipped (marked done, nothing sent); a
// thank-you is sent however late.
std::vector<due_message> due_messages(storage::database& db, std::int64_t now);

// Sends (queues) everything due at `now`, each message in its own transaction with all of
// its recipients. Returns how many mails were queued.
// `secret` seals the unsubscribe links these bulk messages carry.
int send_due(storage::database& db, const mail::composer& mail, const std::string& public_base, const std::string& secret,
             std::int64_t now);

}  // namespace sabor::registration
