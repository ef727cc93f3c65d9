// Who may download an event's materials. Organisers of the event (and admins) always; for
// everyone else the event must be published (or cancelled), its release time reached, and
// the visibility met: public: anyone; registered: a confirmed registrant; attendees: a
// confirmed registrant who was checked in; organisers: nobody else. Registrants prove who
// they are with an access key in the link (their registration id and an HMAC of it with
// the server's secret), checked against the registration's status at each download, so a
// cancelled registration loses access at once and nothing needs storing.
#pragma once
#include "events/model.hpp"
#include "http/message.hpp"
#include "materials/model.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sabor::materials {

std::string access_key(const std::string& secret, std::int64_t registration_id);
// The registration id when the key is genuine.
std::optional<std::int64_t> verify_access_key(const std::string& secret, std::string_view key);

// The instant the materials are released (0 = at once).
std::int64_t release_time(const release_setting& s, const events::event& e);

struct viewer {
    bool organiser = false;  // manages the event, or an admin
    std::optional<std::int64_t> registration_id;  // from a genuine access key
    std::string key;                              // that key, for the links the viewer is given
};
// A registrant, with their key (the personal page's links).
viewer registrant(const std::string& secret, std::int64_t registration_id);

enum class access { allowed, not_yet, needs_registration, needs_attendance, organisers_only, hidden };

// The decision for one viewer at `now`; registration rows are read from `db`.
access decide(storage::database& db, const events::event& e, const release_setting& s, const viewer& v, std::int64_t now);

// The visibility rule for one request, the one every download, the materials page, the ZIP
// and the programme's links ask: who the visitor is (an organiser by session or API token, a
// registrant by the key in the address: viewer_of) and what the event's setting lets them
// have at `now`. The routes declare only the framework's part (access::event_reader: a draft
// is its managers' alone); this is the rest.
struct download_visit {
    viewer who;
    release_setting setting;
    access decision = access::hidden;
};
download_visit download_access(storage::database& db, const events::event& e, const viewer& who, std::int64_t now);

// Whether every recipient of the announcement (confirmed registrants, or only the checked-in
// ones) may download the materials at `now`: the message says they are online.
bool audience_may_download(const events::event& e, const release_setting& s, bool attendees_only, std::int64_t now);

}  // namespace sabor::materials
