#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/enum_text.hpp"

namespace sabor::events {

// An event's status: a draft only its organisers see, published, or cancelled (still shown,
// taking no registrations). Stored and sent as the names below (util/enum_text.hpp).
enum class event_status { draft, published, cancelled };
inline constexpr std::array<std::string_view, 3> statuses{"draft", "published", "cancelled"};
constexpr std::string_view to_string(event_status s) { return util::enum_name(statuses, s); }
constexpr std::optional<event_status> parse_status(std::string_view s) { return util::enum_parse<event_status>(statuses, s); }

inline constexpr std::array<std::string_view, 7> kinds{"conference", "seminar",  "forum",           "workshop",
                                                       "training",   "meeting",  "press_conference"};
inline constexpr std::array<std::string_view, 4> registration_modes{"open", "moderated", "invitation", "closed"};
inline constexpr std::array<std::string_view, 4> visibilities{"public", "registered", "attendees", "organisers"};

struct event {
    std::int64_t id = 0;
    std::string slug;
    std::string title;
    std::string kind = "seminar";
    event_status status = event_status::draft;
    std::int64_t starts_at = 0;  // Unix seconds, UTC
    std::int64_t ends_at = 0;
    std::string timezone = "Europe/Sofia";
    std::string venue;
    std::string address;
    std::string city;
    std::int64_t capacity = 0;  // 0 = unlimited
    std::string registration_mode = "open";
    std::string materials_visibility = "public";
    bool public_participants = false;  // show who consented on /events/{slug}/participants
    bool waitlist = true;              // beyond capacity: join the waiting list (or be refused)
    std::int64_t registration_opens_at = 0;   // 0 = open from publication
    std::int64_t registration_closes_at = 0;  // 0 = until the event ends
    std::string registration_form;  // JSON, see registration/form.hpp ("" = the defaults)
    std::string description;
    std::string funding_programme;
    std::string funding_project_code;
    std::string funding_project_title;
    std::string funding_statement;
    std::vector<std::string> organisers;
    std::vector<std::string> partners;
    // Whom participants write or call: every mail about the event carries Reply-To: contact_email.
    std::string contact_email;
    std::string contact_phone;
    std::int64_t created_by = 0;
    std::string created_at;
    std::string updated_at;

    bool has_funding() const {
        return !funding_programme.empty() || !funding_project_code.empty() || !funding_project_title.empty() ||
               !funding_statement.empty();
    }
};

struct list_filter {
    bool past = false;
    std::string city;
    std::string kind;
    std::int64_t now = 0;
    std::int64_t limit = 100;
    std::int64_t offset = 0;
};

}  // namespace sabor::events
