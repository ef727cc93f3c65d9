#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/enum_text.hpp"

namespace sabor::registration {

// A registration's status. The database, the API and the pages keep the names below; the
// repository turns them into this and back (util/enum_text.hpp).
enum class registration_status { confirmed, waitlisted, pending, cancelled, rejected };
inline constexpr std::array<std::string_view, 5> statuses{"confirmed", "waitlisted", "pending", "cancelled", "rejected"};
constexpr std::string_view to_string(registration_status s) { return util::enum_name(statuses, s); }
constexpr std::optional<registration_status> parse_status(std::string_view s) {
    return util::enum_parse<registration_status>(statuses, s);
}
// Neither cancelled nor rejected: the registrant still counts (and may cancel).
constexpr bool is_live(registration_status s) {
    return s != registration_status::cancelled && s != registration_status::rejected;
}
inline constexpr std::array<std::string_view, 7> organisation_types{
    "municipality", "regional_administration", "state_institution", "ngo", "school_or_university", "business", "other"};

// Which scheduled message of an event: the reminder before it, the thank-you after it. Stored
// and sent (the API's keys, the form's field names) as the names below.
enum class scheduled_kind { reminder, thanks };
inline constexpr std::array<std::string_view, 2> scheduled_kinds{"reminder", "thanks"};
constexpr std::string_view to_string(scheduled_kind k) { return util::enum_name(scheduled_kinds, k); }
constexpr std::optional<scheduled_kind> parse_scheduled_kind(std::string_view s) {
    return util::enum_parse<scheduled_kind>(scheduled_kinds, s);
}

struct registration {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string name;
    std::string email;  // stored lower-cased: one registration per address and event
    std::string organisation;
    std::string position;
    std::string organisation_type;
    std::string town;
    std::string phone;
    bool consent = false;
    bool public_listing = false;
    registration_status status = registration_status::pending;
    std::string locale = "bg";
    std::string created_at;
    std::string updated_at;
    std::string checked_in_at;  // empty when not checked in
    std::string answers = "{}"; // JSON: the answers to the event's questions, by key
    std::string source = "online";  // online, desk (a walk-in), organiser
};

struct status_counts {
    std::int64_t confirmed = 0, waitlisted = 0, pending = 0, cancelled = 0, rejected = 0, checked_in = 0;
    std::int64_t attended = 0;  // confirmed and checked in (checked_in also counts those cancelled since)
};

}  // namespace sabor::registration
