// What an event's registration form asks: which standard fields are shown and required,
// the organiser's own questions (custom fields) and the privacy text. Kept on the event as JSON; answers are kept on the registration as
// JSON keyed by each question's stable key ("q1", "q2", ...).
#pragma once
#include "events/service.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::registration {

using view::field_errors;

// The standard fields an organiser may hide or require (name and e-mail are always required).
inline constexpr std::array<std::string_view, 5> configurable_fields{"organisation", "position", "organisation_type",
                                                                     "town", "phone"};
inline constexpr std::array<std::string_view, 7> question_types{"text", "textarea", "choice", "choices",
                                                                "yesno", "number", "date"};

struct question {
    std::string key;    // "q1": stable, answers refer to it
    std::string label;
    std::string type;   // one of question_types
    std::vector<std::string> options;  // choice, choices
    bool required = false;
};

struct form_settings {
    std::map<std::string, std::string, std::less<>> modes;  // field -> "hidden" | "optional" | "required"; absent = optional
    std::vector<question> questions;  // in the order shown
    std::string privacy_text;         // the organiser's words above the consent box
    // A registration counts only once the address is confirmed through a mailed link
    // (registration/verification.hpp). Off by default.
    bool verify_email = false;

    std::string mode(std::string_view field) const;
    bool shown(std::string_view field) const { return mode(field) != "hidden"; }
    bool required(std::string_view field) const { return mode(field) == "required"; }
};

// From the event's stored JSON ("" = defaults). Never throws: damaged JSON gives defaults.
form_settings parse_form_settings(std::string_view stored);
boost::json::object to_json(const form_settings& s);
std::string to_stored(const form_settings& s);

// An organiser's settings from the API (the same shape as to_json), checked: known fields
// and modes, question types, labels and options (lengths, UTF-8), at most 30 questions.
// Questions without a key get the next free one; `previous` keeps keys stable.
form_settings settings_from_json(const boost::json::value& v, const form_settings& previous, field_errors& errors);
// The same from the admin page's form (mode_<field>, privacy_text, verify_email, and rows
// q_label_N, q_type_N, q_options_N (one per line), q_required_N, q_key_N, q_delete_N).
form_settings settings_from_form(const std::vector<std::pair<std::string, std::string>>& form, const form_settings& previous,
                                 field_errors& errors);

// A participant's answers, checked against the questions: required ones present, choices
// among those offered, numbers and dates well-formed. Errors are keyed by question key.
boost::json::object answers_from_json(const form_settings& s, const boost::json::value* answers, field_errors& errors);
boost::json::object answers_from_form(const form_settings& s, const std::vector<std::pair<std::string, std::string>>& form,
                                      field_errors& errors);
// One answer as text for lists and exports ("да"/"yes", choices joined with "; ").
std::string answer_text(const question& q, const boost::json::object& answers, const std::string& lang);

}  // namespace sabor::registration
