#include "registration/scheduled_repository.hpp"

#include "util/time.hpp"

namespace sabor::registration {
namespace {

constexpr const char* columns =
    "id, event_id, kind, enabled, offset_minutes, subject, body, COALESCE(sent_at, ''), updated_at";

scheduled_message read(storage::statement& st, int i = 0) {
    scheduled_message m;
    m.id = st.get_int(i++);
    m.event_id = st.get_int(i++);
    m.kind = util::enum_stored<scheduled_kind>(scheduled_kinds, st.get_text(i++), "scheduled_messages.kind");
    m.enabled = st.get_int(i++) != 0;
    m.offset_minutes = st.get_int(i++);
    m.subject = st.get_text(i++);
    m.body = st.get_text(i++);
    m.sent_at = st.get_text(i++);
    m.updated_at = st.get_text(i++);
    return m;
}

}  // namespace

std::vector<scheduled_message> scheduled_repository::for_event(std::int64_t event_id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM scheduled_messages WHERE event_id = ? ORDER BY id");
    st.bind(1, event_id);
    std::vector<scheduled_message> out;
    while (st.step()) out.push_back(read(st));
    return out;
}

std::optional<scheduled_message> scheduled_repository::find(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM scheduled_messages WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read(st);
}

void scheduled_repository::save(const scheduled_message& m, const std::string& now_iso) {
    auto st = db_.prepare("SELECT id FROM scheduled_messages WHERE event_id = ? AND kind = ?");
    st.bind(1, m.event_id).bind(2, to_string(m.kind));
    if (st.step()) {
        auto id = st.get_int(0);
        st.reset();
        db_.prepare("UPDATE scheduled_messages SET enabled = ?, offset_minutes = ?, subject = ?, body = ?, updated_at = ? "
                    "WHERE id = ?")
            .bind(1, m.enabled ? 1 : 0)
            .bind(2, m.offset_minutes)
            .bind(3, m.subject)
            .bind(4, m.body)
            .bind(5, now_iso)
            .bind(6, id)
            .run();
        return;
    }
    st.reset();
    db_.prepare("INSERT INTO scheduled_messages (event_id, kind, enabled, offset_minutes, subject, body, updated_at) "
                "VALUES (:event_id, :kind, :enabled, :offset_minutes, :subject, :body, :updated_at)")
        .bind(":event_id", m.event_id)
        .bind(":kind", to_string(m.kind))
        .bind(":enabled", m.enabled ? 1 : 0)
        .bind(":offset_minutes", m.offset_minutes)
        .bind(":subject", m.subject)
        .bind(":body", m.body)
        .bind(":updated_at", now_iso)
        .run();
}

std::vector<pending_message> scheduled_repository::pending() {
    // Few rows (enabled and unsent); the times are compared by the caller.
    auto st = db_.prepare(std::string("SELECT m.id, m.event_id, m.kind, m.enabled, m.offset_minutes, m.subject, m.body, "
                                      "COALESCE(m.sent_at, ''), m.updated_at, e.starts_at, e.ends_at, e.status "
                                      "FROM scheduled_messages m JOIN events e ON e.id = m.event_id "
                                      "WHERE m.enabled = 1 AND m.sent_at IS NULL ORDER BY m.id"));
    std::vector<pending_message> out;
    while (st.step()) {
        pending_message p;
        p.m = read(st);
        auto starts = util::parse_iso8601(st.get_text(9));
        auto ends = util::parse_iso8601(st.get_text(10));
        if (!starts || !ends) continue;  // never written so by sabor; skipped rather than guessed
        p.starts_at = *starts;
        p.ends_at = *ends;
        p.event_status = util::enum_stored<events::event_status>(events::statuses, st.get_text(11), "events.status");
        out.push_back(std::move(p));
    }
    return out;
}

bool scheduled_repository::mark_sent(std::int64_t id, const std::string& now_iso) {
    db_.prepare("UPDATE scheduled_messages SET sent_at = ? WHERE id = ? AND sent_at IS NULL").bind(1, now_iso).bind(2, id).run();
    return db_.changes() == 1;
}

std::vector<recipient> scheduled_repository::confirmed_recipients(std::int64_t event_id) {
    // Addresses are stored lower-cased (registrations and suppressions alike).
    auto st = db_.prepare("SELECT r.id, r.name, r.email, r.organisation, r.locale FROM registrations r "
                          "WHERE r.event_id = ? AND r.status = 'confirmed' AND r.email <> '' "
                          "AND NOT EXISTS (SELECT 1 FROM mail_suppressions s WHERE s.email = r.email) ORDER BY r.id");
    st.bind(1, event_id);
    std::vector<recipient> out;
    while (st.step()) out.push_back({st.get_int(0), st.get_text(1), st.get_text(2), st.get_text(3), st.get_text(4)});
    return out;
}

}  // namespace sabor::registration
