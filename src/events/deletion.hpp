// Deleting a draft event, in two steps around the caller's commit: the rows go inside the
// transaction (the schema cascades to the programme, registrations and materials), the files
// those rows named (speakers' photos, uploaded materials: each part says) only once the
// commit has happened, so a rollback never leaves rows pointing at deleted files.
#pragma once
#include "events/parts.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sabor::events {

class draft_deletion {
public:
    // Call inside the transaction: notes the parts' files and deletes the event's rows.
    draft_deletion(storage::database& db, std::int64_t event_id, const parts& of_event);
    // Call after the commit.
    void remove_files(const std::string& data_dir) const;

private:
    std::vector<std::function<void(const std::string&)>> removers_;
};

}  // namespace sabor::events
