#include "registration/audit.hpp"

#include "util/utf8.hpp"

namespace sabor::registration {

void audit(storage::database& db, std::int64_t user_id, std::string_view action, std::int64_t event_id,
           std::int64_t subject_id, std::string_view detail) {
    // Callers keep the first bytes of a request: never half a letter (PostgreSQL refuses it).
    if (!util::valid_utf8(detail)) {
        while (!detail.empty() && (static_cast<unsigned char>(detail.back()) & 0xC0) == 0x80) detail.remove_suffix(1);
        if (!detail.empty() && static_cast<unsigned char>(detail.back()) >= 0xC0) detail.remove_suffix(1);
        if (!util::valid_utf8(detail)) detail = {};
    }
    db.prepare("INSERT INTO audit_log (user_id, action, event_id, subject_id, detail, created_at) "
               "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, user_id)
        .bind(2, action)
        .bind(3, event_id)
        .bind(4, subject_id)
        .bind(5, detail)
        .run();
}

}  // namespace sabor::registration
