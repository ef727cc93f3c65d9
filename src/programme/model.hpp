// The programme of an event: speakers, sessions (the days follow from their dates) and the
// talks of a session, each with its speakers in a role.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::programme {

inline constexpr std::array<std::string_view, 5> session_kinds{"plenary", "panel", "workshop", "discussion", "break"};
inline constexpr std::array<std::string_view, 3> speaker_roles{"speaker", "moderator", "panellist"};
// Offered in the forms; any short text is accepted ("проф. д-р" is common).
inline constexpr std::array<std::string_view, 6> honorifics{"г-жа", "г-н", "д-р", "проф.", "доц.", "инж."};

struct speaker {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string honorific;
    std::string name;
    std::string position;
    std::string organisation;
    std::string bio;
    std::string email;  // private: organisers only
    std::string photo;  // stored file name under DATA_DIR/photos, "" = none
};

struct session {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string title;
    std::string kind = "plenary";
    std::int64_t starts_at = 0;  // Unix seconds, UTC
    std::int64_t ends_at = 0;
    std::string room;
    std::int64_t chair_id = 0;  // 0 = none
    std::string description;
};

struct talk_speaker {
    std::int64_t speaker_id = 0;
    std::string role = "speaker";
    bool operator==(const talk_speaker&) const = default;
};

struct talk {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::int64_t session_id = 0;
    std::string title;
    std::string abstract;
    std::int64_t starts_at = 0;  // 0 = no time of its own (the order in the session says when)
    std::int64_t ends_at = 0;
    std::int64_t position = 0;   // order in the session, from 0
    std::vector<talk_speaker> speakers;
};

// Everything of one event's programme, as read in one go.
struct programme_data {
    std::vector<speaker> speakers;
    std::vector<session> sessions;  // by start, then id
    std::vector<talk> talks;        // by session, position, id
};

}  // namespace sabor::programme
