#include "events/deletion.hpp"

#include "events/repository.hpp"
#include "materials/store.hpp"
#include "programme/photos.hpp"
#include "programme/repository.hpp"

namespace sabor::events {

draft_deletion::draft_deletion(storage::database& db, std::int64_t event_id)
    : photos_(programme::repository(db).photos(event_id)), files_(materials::event_files(db, event_id)) {
    repository(db).remove(event_id);
}

void draft_deletion::remove_files(const std::string& data_dir) const {
    for (const auto& p : photos_) programme::remove_photo(data_dir, p);
    materials::remove_stored(data_dir, files_);
}

}  // namespace sabor::events
