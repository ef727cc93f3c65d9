// What organisers count and print: statistics with the tallies of the event's questions,
// times in the event's own time zone, the event's days and the language its papers use.
#pragma once
#include "events/model.hpp"
#include "registration/form.hpp"
#include "registration/model.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sabor::view {
class i18n;
}

namespace sabor::registration {

// A stored UTC time ("2031-08-11T10:00:00.123Z") as wall-clock time in `tz`:
// "2031-08-11 13:00". Empty stays empty; anything unreadable is returned as it is.
std::string local_stamp(const std::string& utc, const std::string& tz);

// Noon (Unix seconds) of each local day the event touches, first to last; at most
// `max_days`. An end at exactly midnight does not add the next day.
std::vector<std::int64_t> event_days(const events::event& e, std::size_t max_days = 31);

// The language the event's printed papers use: Bulgarian when its title has Cyrillic
// letters, English when it has only Latin ones, otherwise `fallback`. (Events keep no
// language of their own; the title is what the organiser wrote for the participants.)
std::string event_language(const events::event& e, const std::string& fallback);

// Each one-choice, several-choice and yes/no question with how many confirmed registrations
// gave each answer (an answer no longer offered is kept as its own line).
struct option_tally {
    std::string value, label;
    std::int64_t count = 0;
};
struct question_tally {
    std::string key, label, type;
    std::vector<option_tally> options;
    std::int64_t answered = 0, unanswered = 0;
};
std::vector<question_tally> tally_answers(const std::vector<question>& questions, const std::vector<registration>& confirmed,
                                          const view::i18n& texts, const std::string& lang);

// GET /api/v1/events/{id}/statistics: confirmed, waitlisted, pending, cancelled, rejected,
// attended (and checked_in, registered, as before: registered = confirmed), the groups by
// organisation type and town, and `questions` (the tallies above), labels in `lang`.
boost::json::object statistics_json(storage::database& db, const events::event& e, const view::i18n& texts,
                                    const std::string& lang);

}  // namespace sabor::registration
