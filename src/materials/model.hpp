// A presentation or document of an event, stored under the data folder by a generated name.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace sabor::materials {

struct material {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::optional<std::int64_t> talk_id;
    std::string title;        // "" = show the file name
    std::string filename;     // the cleaned original name, used for the download
    std::string stored_name;  // "<random hex>.<ext>" under <data>/materials/
    std::string content_type;
    std::int64_t size = 0;
    std::string sha256;  // hex
    std::int64_t uploaded_by = 0;
    std::string created_at;  // ISO 8601 UTC
    std::string talk_title;  // joined for lists; "" when not attached to a talk
};

// Who may download an event's materials, and from when.
struct release_setting {
    std::string visibility = "public";  // public, registered, attendees, organisers
    // "" = at once; "event_start" = once the event starts (follows the event if it moves);
    // else an ISO 8601 UTC time.
    std::string release_at;
};

struct talk_ref {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string title;
};

// One registrant the announcement goes to.
struct recipient {
    std::int64_t registration_id = 0;
    std::string name;
    std::string email;
    std::string locale;
};

}  // namespace sabor::materials
