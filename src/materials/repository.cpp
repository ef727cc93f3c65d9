#include "materials/repository.hpp"

namespace sabor::materials {
namespace {

constexpr const char* columns =
    "m.id, m.event_id, m.talk_id, m.title, m.filename, m.stored_name, m.content_type, m.size, m.sha256, "
    "COALESCE(m.uploaded_by, 0), m.created_at, COALESCE(t.title, '')";
constexpr const char* from = " FROM materials m LEFT JOIN talks t ON t.id = m.talk_id ";

material read_material(storage::statement& st) {
    material m;
    int i = 0;
    m.id = st.get_int(i++);
    m.event_id = st.get_int(i++);
    if (!st.is_null(i)) m.talk_id = st.get_int(i);
    ++i;
    m.title = st.get_text(i++);
    m.filename = st.get_text(i++);
    m.stored_name = st.get_text(i++);
    m.content_type = st.get_text(i++);
    m.size = st.get_int(i++);
    m.sha256 = st.get_text(i++);
    m.uploaded_by = st.get_int(i++);
    m.created_at = st.get_text(i++);
    m.talk_title = st.get_text(i++);
    return m;
}

std::vector<material> read_all(storage::statement& st) {
    std::vector<material> out;
    while (st.step()) out.push_back(read_material(st));
    return out;
}

}  // namespace

std::int64_t repository::insert(material& m) {
    auto st = db_.prepare(
        "INSERT INTO materials (event_id, talk_id, title, filename, stored_name, content_type, size, sha256, "
        "uploaded_by, created_at) VALUES (:event_id, :talk_id, :title, :filename, :stored_name, :content_type, :size, "
        ":sha256, :uploaded_by, strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
    st.bind(":event_id", m.event_id)
        .bind(":talk_id", m.talk_id)
        .bind(":title", m.title)
        .bind(":filename", m.filename)
        .bind(":stored_name", m.stored_name)
        .bind(":content_type", m.content_type)
        .bind(":size", m.size)
        .bind(":sha256", m.sha256)
        .bind(":uploaded_by", m.uploaded_by > 0 ? std::optional<std::int64_t>(m.uploaded_by) : std::nullopt);
    st.run();
    m.id = db_.last_insert_id();
    m.created_at = find(m.id)->created_at;
    return m.id;
}

void repository::update(std::int64_t id, const std::string& title, const std::optional<std::int64_t>& talk_id) {
    db_.prepare("UPDATE materials SET title = ?, talk_id = ? WHERE id = ?").bind(1, title).bind(2, talk_id).bind(3, id).run();
}

void repository::remove(std::int64_t id) { db_.prepare("DELETE FROM materials WHERE id = ?").bind(1, id).run(); }

std::optional<material> repository::find(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + from + "WHERE m.id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_material(st);
}

std::optional<material> repository::find_same(std::int64_t event_id, const std::optional<std::int64_t>& talk_id,
                                              const std::string& sha256) {
    // talk_id IS ? would not be portable; two statements instead.
    auto st = talk_id ? db_.prepare(std::string("SELECT ") + columns + from +
                                    "WHERE m.event_id = ? AND m.sha256 = ? AND m.talk_id = ? ORDER BY m.id LIMIT 1")
                      : db_.prepare(std::string("SELECT ") + columns + from +
                                    "WHERE m.event_id = ? AND m.sha256 = ? AND m.talk_id IS NULL ORDER BY m.id LIMIT 1");
    st.bind(1, event_id).bind(2, sha256);
    if (talk_id) st.bind(3, *talk_id);
    if (!st.step()) return std::nullopt;
    return read_material(st);
}

std::vector<material> repository::list(std::int64_t event_id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + from +
                          "LEFT JOIN programme_sessions s ON s.id = t.session_id WHERE m.event_id = ? "
                          "ORDER BY CASE WHEN m.talk_id IS NULL THEN 0 ELSE 1 END, s.starts_at, t.position, t.id, m.id");
    st.bind(1, event_id);
    return read_all(st);
}

std::optional<std::int64_t> repository::event_of(std::int64_t id) {
    auto st = db_.prepare("SELECT event_id FROM materials WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return st.get_int(0);
}

std::int64_t repository::count(std::int64_t event_id) {
    auto st = db_.prepare("SELECT COUNT(*) FROM materials WHERE event_id = ?");
    st.bind(1, event_id);
    st.step();
    return st.get_int(0);
}

bool repository::stored_name_known(const std::string& stored_name) {
    auto st = db_.prepare("SELECT 1 FROM materials WHERE stored_name = ?");
    st.bind(1, stored_name);
    return st.step();
}

release_setting repository::release(std::int64_t event_id) {
    auto st = db_.prepare("SELECT materials_visibility, materials_release_at FROM events WHERE id = ?");
    st.bind(1, event_id);
    release_setting s;
    if (st.step()) {
        s.visibility = st.get_text(0);
        s.release_at = st.get_text(1);
    }
    return s;
}

void repository::set_release(std::int64_t event_id, const release_setting& s) {
    db_.prepare("UPDATE events SET materials_visibility = ?, materials_release_at = ?, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?")
        .bind(1, s.visibility)
        .bind(2, s.release_at)
        .bind(3, event_id)
        .run();
}

std::optional<talk_ref> repository::find_talk(std::int64_t talk_id) {
    auto st = db_.prepare("SELECT id, event_id, title FROM talks WHERE id = ?");
    st.bind(1, talk_id);
    if (!st.step()) return std::nullopt;
    return talk_ref{st.get_int(0), st.get_int(1), st.get_text(2)};
}

std::optional<std::int64_t> repository::event_of_talk(std::int64_t talk_id) {
    auto st = db_.prepare("SELECT event_id FROM talks WHERE id = ?");
    st.bind(1, talk_id);
    if (!st.step()) return std::nullopt;
    return st.get_int(0);
}

std::vector<talk_ref> repository::talks(std::int64_t event_id) {
    auto st = db_.prepare(
        "SELECT t.id, t.event_id, t.title FROM talks t JOIN programme_sessions s ON s.id = t.session_id "
        "WHERE t.event_id = ? ORDER BY s.starts_at, t.position, t.id");
    st.bind(1, event_id);
    std::vector<talk_ref> out;
    while (st.step()) out.push_back(talk_ref{st.get_int(0), st.get_int(1), st.get_text(2)});
    return out;
}

bool repository::announced_within_hour(std::int64_t event_id, const std::string& email) {
    auto st = db_.prepare("SELECT 1 FROM mail_outbox WHERE kind = 'materials_online' AND event_id = ? AND to_address = ? "
                          "AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour') LIMIT 1");
    st.bind(1, event_id).bind(2, email);
    return st.step();
}

std::vector<recipient> repository::recipients(std::int64_t event_id, bool checked_in_only, std::int64_t& suppressed) {
    auto st = db_.prepare(
        "SELECT r.id, r.name, r.email, r.locale, "
        "CASE WHEN EXISTS (SELECT 1 FROM mail_suppressions ms WHERE LOWER(ms.email) = r.email) THEN 1 ELSE 0 END "
        "FROM registrations r WHERE r.event_id = ? AND r.status = 'confirmed' AND r.email <> '' "
        "AND (? = 0 OR COALESCE(r.checked_in_at, '') <> '') ORDER BY r.id");
    st.bind(1, event_id).bind(2, checked_in_only ? 1 : 0);
    std::vector<recipient> out;
    suppressed = 0;
    while (st.step()) {
        if (st.get_int(4)) {
            ++suppressed;
            continue;
        }
        out.push_back(recipient{st.get_int(0), st.get_text(1), st.get_text(2), st.get_text(3)});
    }
    return out;
}

}  // namespace sabor::materials
