// The rules of events: reading input (JSON from the API, forms from people), validating
// it into an event, and the shapes an event takes in the API and on pages.
#pragma once
#include "view/field_errors.hpp"
#include "events/model.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::view {
class i18n;
}

namespace sabor::events {

using view::field_error;
using view::field_errors;

// What a request wants to change; absent fields stay as they are.
struct event_patch {
    std::map<std::string, std::string> text;  // title, kind, venue, ... (validated by name)
    std::optional<std::int64_t> starts_at, ends_at, capacity;
    std::optional<bool> public_participants, waitlist;
    std::optional<std::int64_t> registration_opens_at, registration_closes_at;  // 0 clears
    std::optional<std::vector<std::string>> organisers, partners;
};

// From a JSON body. Unknown fields, wrong types and invalid UTF-8 become errors.
event_patch patch_from_json(const boost::json::object& body, field_errors& errors);
// From a form: times are the datetime-local inputs, read in the event's time zone;
// organisers and partners come one per line.
event_patch patch_from_form(const std::vector<std::pair<std::string, std::string>>& form, const std::string& timezone,
                            field_errors& errors);

// Applies the patch to `e` and checks the result as a whole (required fields, end after start).
void apply(event& e, const event_patch& p, field_errors& errors);

// Whether the public can register now: published, open or moderated, within the window.
bool accepting_registrations(const event& e, std::int64_t now);

// Seats as a visitor should see them before typing anything: "open", "waitlist" (full, new
// registrations join the waiting list), "full" (no waiting list), "not_open" (the window
// has not opened yet) or "closed" (not published, over, closed or past the deadline).
// Invitation-only events report their seats like open ones; the page says who may register.
// Whether the event takes registrations now and on what terms: worked out, never stored; the
// API's "state" and the pages' is_<state> flags carry the name.
enum class availability_state { open, waitlist, full, not_open, closed };
inline constexpr std::array<std::string_view, 5> availability_states{"open", "waitlist", "full", "not_open", "closed"};
constexpr std::string_view to_string(availability_state s) { return util::enum_name(availability_states, s); }

struct availability {
    std::int64_t capacity = 0;  // 0 = unlimited
    std::int64_t confirmed = 0;
    availability_state state = availability_state::open;
    std::int64_t seats_left() const { return capacity > confirmed ? capacity - confirmed : 0; }
};
availability availability_of(const event& e, std::int64_t confirmed, std::int64_t now);
// {"capacity": N|null, "confirmed": n, "seats_left": k|null, "state": "..."}
boost::json::object to_json(const availability& av);

// For pages: state, the sentence a visitor reads ("Остават 5 места") and is_<state> flags.
boost::json::object availability_view(const availability& av, const event& e, const view::i18n& texts,
                                      const std::string& lang);

// "tel:+35982123456" for a phone as written ("+359 82 123 456").
std::string phone_uri(std::string_view phone);
// Venue, address and town joined with commas, for mails.
std::string where_text(const event& e);

boost::json::object to_json(const event& e, const std::string& public_base);
// What templates need: the JSON fields plus formatted dates and safe description HTML.
boost::json::object to_view(const event& e, const view::i18n& texts, const std::string& lang);

}  // namespace sabor::events
