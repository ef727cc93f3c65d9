// The audit log read back, for admins: GET /api/v1/audit?event_id=&actor=&since= (paged:
// ?limit=, ?offset=, items and total) and the page /admin/audit with the same filters.
#pragma once
#include "app/app.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sabor::registration {

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
std::vector<audit_entry> audit_entries(storage::database& db, const audit_filter& f, std::int64_t limit,
                                       std::int64_t offset, std::int64_t* total);

void register_audit_routes(app::application& a);

}  // namespace sabor::registration
