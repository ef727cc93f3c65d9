#include "events/deletion.hpp"

#include "events/repository.hpp"

namespace sabor::events {

draft_deletion::draft_deletion(storage::database& db, std::int64_t event_id, const parts& of_event) {
    for (const auto& p : of_event)
        if (p.files) removers_.push_back(p.files(db, event_id));
    repository(db).remove(event_id);
}

void draft_deletion::remove_files(const std::string& data_dir) const {
    for (const auto& remove : removers_) remove(data_dir);
}

}  // namespace sabor::events
