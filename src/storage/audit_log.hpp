// The audit log: every action an organiser takes on personal data (status changes, edits,
// check-ins, exports, contacts) is recorded with who, what and when; admins read it back
// (accounts/audit_routes). Written by every domain, so it lives here, under none of them.
#pragma once
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::storage {

// user_id 0: no account (a participant on their own page). `detail` is cut to whole letters.
void audit(database& db, std::int64_t user_id, std::string_view action, std::int64_t event_id,
           std::int64_t subject_id, std::string_view detail);

struct audit_filter {
    std::int64_t event_id = 0;  // 0: any
    std::int64_t actor = 0;     // a user's id; 0: anyone
    std::string since;          // "YYYY-MM-DDTHH:MM:SS" (UTC), or empty
};

struct audit_entry {
    std::int64_t id = 0, event_id = 0, subject_id = 0;
    std::optional<std::int64_t> user_id;
    std::string at, action, detail, user_name, user_email;
};

// Newest first.
std::vector<audit_entry> audit_entries(database& db, const audit_filter& f, std::int64_t limit, std::int64_t offset,
                                       std::int64_t* total);

}  // namespace sabor::storage
