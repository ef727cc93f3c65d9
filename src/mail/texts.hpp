// The registration mails an organiser may reword per event: the subject and the opening
// text (the greeting and what happened). Everything a participant needs to act on (the
// event's facts, the personal link, the check-in card, the calendar file, the organisers'
// message, the signature and the contact) stays in the template around it, so no edit can
// lose it. Texts hold {{placeholders}}; each kind allows those its data always carries.
#pragma once
#include "view/placeholders.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::mail {

struct editable_kind {
    std::string_view kind;                        // mail-templates/ folder
    std::span<const std::string_view> placeholders;  // without braces
};

// In the order the organisers' page lists them.
std::span<const editable_kind> editable_kinds();
const editable_kind* find_editable(std::string_view kind);

struct mail_text {
    std::string subject, body;
};

inline constexpr std::size_t max_text_subject = 200;
inline constexpr std::size_t max_text_body = 10000;

// The placeholder values from a message's template data ({{event_date}} is event_when,
// {{venue}} event_where, {{waitlist_place}} position: the names the organisers already
// know from reminders).
view::placeholder_values placeholder_values_of(const boost::json::object& data);

}  // namespace sabor::mail
