// Deleting a draft event, in two steps around the caller's commit: the rows go inside the
// transaction (the schema cascades to the programme, registrations and materials), the files
// those rows named (speakers' photos, uploaded materials) only once the commit has happened,
// so a rollback never leaves rows pointing at deleted files.
#pragma once
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sabor::events {

class draft_deletion {
public:
    // Call inside the transaction: deletes the event's rows and notes its files.
    draft_deletion(storage::database& db, std::int64_t event_id);
    // Call after the commit.
    void remove_files(const std::string& data_dir) const;

private:
    std::vector<std::string> photos_, files_;
};

}  // namespace sabor::events
