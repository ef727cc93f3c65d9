// The rules of the programme: reading input (JSON from the API, forms from people) into
// speakers, sessions and talks, checking them against the event and its programme, the
// overlap warnings, the order of talks, and the shapes they take in the API and on pages.
#pragma once
#include "events/model.hpp"
#include "events/service.hpp"
#include "http/message.hpp"
#include "programme/model.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sabor::view {
class i18n;
}

namespace sabor::programme {

using view::field_error;
using view::field_errors;

// What a request wants to change; absent fields stay as they are.
struct speaker_patch {
    std::map<std::string, std::string> text;  // honorific, name, position, organisation, bio, email
};
struct session_patch {
    std::map<std::string, std::string> text;  // title, kind, room, description
    std::optional<std::int64_t> starts_at, ends_at;
    std::optional<std::int64_t> chair_id;  // 0 = none
};
struct talk_patch {
    std::map<std::string, std::string> text;  // title, abstract
    std::optional<std::int64_t> session_id;
    std::optional<std::int64_t> starts_at, ends_at;  // 0 clears
    std::optional<std::int64_t> position;            // wanted index in its session
    std::optional<std::vector<talk_speaker>> speakers;
};

// From a JSON body: unknown fields, wrong types and invalid UTF-8 become errors.
speaker_patch speaker_from_json(const boost::json::object& body, field_errors& errors);
session_patch session_from_json(const boost::json::object& body, field_errors& errors);
// Talk speakers come as speaker_ids (all in the role "speaker") or speakers: [{id, role}].
talk_patch talk_from_json(const boost::json::object& body, field_errors& errors);

// From forms: times are datetime-local inputs read in the event's zone. A talk's speakers
// come as pairs speaker_N = id, role_N = role (N = 0, 1, ...); an empty id is no speaker.
speaker_patch speaker_from_form(const http::fields& form, field_errors& errors);
session_patch session_from_form(const http::fields& form, const std::string& timezone, field_errors& errors);
talk_patch talk_from_form(const http::fields& form, const std::string& timezone, field_errors& errors);

// Apply a patch and check the result as a whole, against the event and its programme (ids
// must be of this event; sessions lie within the event's days; talks within their session).
void apply(speaker& s, const speaker_patch& p, field_errors& errors);
void apply(session& s, const session_patch& p, const events::event& e, const programme_data& d, field_errors& errors);
void apply(talk& t, const talk_patch& p, const events::event& e, const programme_data& d, field_errors& errors);

// A time clash worth telling the organiser about; never a reason to refuse.
struct warning {
    std::string key;  // catalog key
    std::vector<std::pair<std::string, std::string>> args;
    std::vector<std::int64_t> session_ids, talk_ids;  // what it concerns
};
// Sessions in the same room at the same time, talks of a session at the same time, and a
// speaker in two talks at once (a talk without times of its own takes its session's).
std::vector<warning> overlaps(const programme_data& d);
// Only the warnings about one session or talk.
std::vector<warning> concerning(const std::vector<warning>& all, std::int64_t session_id, std::int64_t talk_id);
boost::json::array warnings_json(const std::vector<warning>& ws, const view::i18n& texts, const std::string& lang);

// Where a new talk goes in its session (index): a timed talk after the last talk starting
// no later than it; otherwise at the end.
std::size_t placement(const std::vector<talk>& in_session, const talk& t);
// The ids of a session's talks with `talk_id` moved to `index` (clamped); `talk_id` is
// added when it is not there yet (a talk moved in from another session).
std::vector<std::int64_t> reorder(const std::vector<talk>& in_session, std::int64_t talk_id, std::int64_t index);

// "д-р Мария Петрова"
std::string display_name(const speaker& s);

// The API's shapes. The speaker's e-mail only with `with_private`.
boost::json::object to_json(const speaker& s, bool with_private);
boost::json::object to_json(const session& s, const std::string& timezone);
boost::json::object to_json(const talk& t, const std::string& timezone);
// days -> sessions (with chair) -> talks -> speakers (with role), in order.
boost::json::object programme_json(const events::event& e, const programme_data& d, bool with_private);

// What the programme templates need: days with labels, sessions with times, kind labels,
// chairs, talks with speakers and (when given) their materials, by talk id, in the shape of
// materials::talk_links (the materials domain decides who sees which).
boost::json::array days_view(const events::event& e, const programme_data& d,
                             const std::map<std::int64_t, boost::json::array>* materials,
                             const view::i18n& texts, const std::string& lang);
boost::json::object speaker_view(const speaker& s);
// "МП" for "Мария Петрова": shown where there is no photo.
std::string initials(std::string_view name);

}  // namespace sabor::programme
