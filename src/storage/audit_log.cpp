#include "storage/audit_log.hpp"

#include "util/utf8.hpp"

namespace sabor::storage {

void audit(database& db, std::int64_t user_id, std::string_view action, std::int64_t event_id,
           std::int64_t subject_id, std::string_view detail) {
    // Callers keep the first bytes of a request: never half a letter (PostgreSQL refuses it).
    if (!util::valid_utf8(detail)) {
        while (!detail.empty() && (static_cast<unsigned char>(detail.back()) & 0xC0) == 0x80) detail.remove_suffix(1);
        if (!detail.empty() && static_cast<unsigned char>(detail.back()) >= 0xC0) detail.remove_suffix(1);
        if (!util::valid_utf8(detail)) detail = {};
    }
    // user_id 0: no account (a participant on their own page), stored as NULL.
    db.prepare("INSERT INTO audit_log (user_id, action, event_id, subject_id, detail, created_at) "
               "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, user_id ? std::optional<std::int64_t>(user_id) : std::nullopt)
        .bind(2, action)
        .bind(3, event_id)
        .bind(4, subject_id)
        .bind(5, detail)
        .run();
}

std::vector<audit_entry> audit_entries(database& db, const audit_filter& f, std::int64_t limit,
                                       std::int64_t offset, std::int64_t* total) {
    const std::string where = " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id "
                              "WHERE (?1 = 0 OR a.event_id = ?1) AND (?2 = 0 OR a.user_id = ?2) AND (?3 = '' OR a.created_at >= ?3)";
    if (total) {
        auto c = db.prepare("SELECT COUNT(*)" + where);
        c.bind(1, f.event_id).bind(2, f.actor).bind(3, f.since);
        c.step();
        *total = c.get_int(0);
    }
    auto st = db.prepare("SELECT a.id, a.created_at, a.user_id, COALESCE(u.name, ''), COALESCE(u.email, ''), a.action, "
                         "COALESCE(a.event_id, 0), COALESCE(a.subject_id, 0), a.detail" + where +
                         " ORDER BY a.id DESC LIMIT ?4 OFFSET ?5");
    st.bind(1, f.event_id).bind(2, f.actor).bind(3, f.since).bind(4, limit).bind(5, offset);
    std::vector<audit_entry> out;
    while (st.step()) {
        audit_entry e;
        e.id = st.get_int(0);
        e.at = st.get_text(1);
        if (!st.is_null(2)) e.user_id = st.get_int(2);
        e.user_name = st.get_text(3);
        e.user_email = st.get_text(4);
        e.action = st.get_text(5);
        e.event_id = st.get_int(6);
        e.subject_id = st.get_int(7);
        e.detail = st.get_text(8);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace sabor::storage
