// The audit log: every action an organiser takes on personal data (status changes, edits,
// check-ins, exports) is recorded with who, what and when.
#pragma once
#include "storage/database.hpp"

#include <cstdint>
#include <string>

namespace sabor::registration {

void audit(storage::database& db, std::int64_t user_id, std::string_view action, std::int64_t event_id,
           std::int64_t subject_id, std::string_view detail);

}  // namespace sabor::registration
