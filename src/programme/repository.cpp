#include "programme/repository.hpp"

#include "util/time.hpp"

#include <map>
#include <utility>

namespace sabor::programme {
namespace {

constexpr const char* now_sql = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";

constexpr const char* speaker_columns = "id, event_id, honorific, name, position, organisation, bio, email, photo";
constexpr const char* session_columns =
    "id, event_id, title, kind, starts_at, ends_at, room, COALESCE(chair_id, 0), description";
constexpr const char* talk_columns = "id, event_id, session_id, title, abstract, starts_at, ends_at, position";

// Optional times are stored as '' when unset (as events do).
std::string optional_time(std::int64_t t) { return t ? util::format_iso_utc(t) : std::string{}; }
std::int64_t read_time(const std::string& s) { return s.empty() ? 0 : util::parse_iso8601(s).value_or(0); }

speaker read_speaker(storage::statement& st) {
    speaker s;
    s.id = st.get_int(0);
    s.event_id = st.get_int(1);
    s.honorific = st.get_text(2);
    s.name = st.get_text(3);
    s.position = st.get_text(4);
    s.organisation = st.get_text(5);
    s.bio = st.get_text(6);
    s.email = st.get_text(7);
    s.photo = st.get_text(8);
    return s;
}

session read_session(storage::statement& st) {
    session s;
    s.id = st.get_int(0);
    s.event_id = st.get_int(1);
    s.title = st.get_text(2);
    s.kind = st.get_text(3);
    s.starts_at = read_time(st.get_text(4));
    s.ends_at = read_time(st.get_text(5));
    s.room = st.get_text(6);
    s.chair_id = st.get_int(7);
    s.description = st.get_text(8);
    return s;
}

talk read_talk(storage::statement& st) {
    talk t;
    t.id = st.get_int(0);
    t.event_id = st.get_int(1);
    t.session_id = st.get_int(2);
    t.title = st.get_text(3);
    t.abstract = st.get_text(4);
    t.starts_at = read_time(st.get_text(5));
    t.ends_at = read_time(st.get_text(6));
    t.position = st.get_int(7);
    return t;
}

// The rows of a query with one bound id, each made by `read`.
template <typename Read>
auto all_rows(storage::database& db, const std::string& sql, std::int64_t id, Read read) {
    auto st = db.prepare(sql);
    st.bind(1, id);
    std::vector<decltype(read(st))> out;
    while (st.step()) out.push_back(read(st));
    return out;
}

template <typename Read>
auto first_row(storage::database& db, const std::string& sql, std::int64_t id, Read read)
    -> std::optional<decltype(read(std::declval<storage::statement&>()))> {
    auto st = db.prepare(sql);
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read(st);
}

std::int64_t count(storage::database& db, const char* sql, std::int64_t event_id) {
    return first_row(db, sql, event_id, [](storage::statement& st) { return st.get_int(0); }).value_or(0);
}

// What the INSERT and UPDATE of a session both write, by their names there.
void bind_session(storage::statement& st, const session& s) {
    st.bind(":title", s.title).bind(":kind", s.kind);
    st.bind(":starts_at", util::format_iso_utc(s.starts_at)).bind(":ends_at", util::format_iso_utc(s.ends_at));
    st.bind(":room", s.room).bind(":description", s.description);
    st.bind(":chair_id", s.chair_id ? std::optional<std::int64_t>(s.chair_id) : std::nullopt);
}

// What the INSERT and UPDATE of a talk both write, by their names there.
void bind_talk(storage::statement& st, const talk& t) {
    st.bind(":session_id", t.session_id).bind(":title", t.title).bind(":abstract", t.abstract);
    st.bind(":starts_at", optional_time(t.starts_at)).bind(":ends_at", optional_time(t.ends_at));
    st.bind(":position", t.position);
}

}  // namespace

// ---- speakers ----

void repository::insert(speaker& s) {
    auto st = db_.prepare(std::string("INSERT INTO speakers (event_id, honorific, name, position, organisation, bio, "
                                      "email, photo, created_at, updated_at) VALUES (:event_id, :honorific, :name, "
                                      ":position, :organisation, :bio, :email, :photo, ") +
                          now_sql + ", " + now_sql + ")");
    st.bind(":event_id", s.event_id).bind(":honorific", s.honorific).bind(":name", s.name).bind(":position", s.position);
    st.bind(":organisation", s.organisation).bind(":bio", s.bio).bind(":email", s.email).bind(":photo", s.photo);
    st.run();
    s.id = db_.last_insert_id();
}

void repository::update(const speaker& s) {
    auto st = db_.prepare(std::string("UPDATE speakers SET honorific = :honorific, name = :name, position = :position, "
                                      "organisation = :organisation, bio = :bio, email = :email, updated_at = ") +
                          now_sql + " WHERE id = :id");
    st.bind(":honorific", s.honorific).bind(":name", s.name).bind(":position", s.position);
    st.bind(":organisation", s.organisation).bind(":bio", s.bio).bind(":email", s.email).bind(":id", s.id);
    st.run();
}

void repository::set_photo(std::int64_t speaker_id, const std::string& stored) {
    db_.prepare(std::string("UPDATE speakers SET photo = ?, updated_at = ") + now_sql + " WHERE id = ?")
        .bind(1, stored)
        .bind(2, speaker_id)
        .run();
}

void repository::remove_speaker(std::int64_t id) { db_.prepare("DELETE FROM speakers WHERE id = ?").bind(1, id).run(); }

std::optional<speaker> repository::find_speaker(std::int64_t id) {
    return first_row(db_, std::string("SELECT ") + speaker_columns + " FROM speakers WHERE id = ?", id, read_speaker);
}

std::vector<speaker> repository::speakers(std::int64_t event_id) {
    return all_rows(db_, std::string("SELECT ") + speaker_columns + " FROM speakers WHERE event_id = ? ORDER BY id",
                    event_id, read_speaker);
}

std::vector<std::string> repository::photos(std::int64_t event_id) {
    return all_rows(db_, "SELECT photo FROM speakers WHERE event_id = ? AND photo <> ''", event_id,
                    [](storage::statement& st) { return st.get_text(0); });
}

// ---- sessions ----

void repository::insert(session& s) {
    auto st = db_.prepare(std::string("INSERT INTO programme_sessions (event_id, title, kind, starts_at, ends_at, room, "
                                      "chair_id, description, created_at, updated_at) VALUES (:event_id, :title, :kind, "
                                      ":starts_at, :ends_at, :room, :chair_id, :description, ") +
                          now_sql + ", " + now_sql + ")");
    st.bind(":event_id", s.event_id);
    bind_session(st, s);
    st.run();
    s.id = db_.last_insert_id();
}

void repository::update(const session& s) {
    auto st = db_.prepare(std::string("UPDATE programme_sessions SET title = :title, kind = :kind, starts_at = :starts_at, "
                                      "ends_at = :ends_at, room = :room, chair_id = :chair_id, description = :description, "
                                      "updated_at = ") +
                          now_sql + " WHERE id = :id");
    bind_session(st, s);
    st.bind(":id", s.id);
    st.run();
}

void repository::remove_session(std::int64_t id) {
    db_.prepare("DELETE FROM programme_sessions WHERE id = ?").bind(1, id).run();
}

std::optional<session> repository::find_session(std::int64_t id) {
    return first_row(db_, std::string("SELECT ") + session_columns + " FROM programme_sessions WHERE id = ?", id,
                     read_session);
}

std::vector<session> repository::sessions(std::int64_t event_id) {
    return all_rows(db_,
                    std::string("SELECT ") + session_columns +
                        " FROM programme_sessions WHERE event_id = ? ORDER BY starts_at, ends_at, id",
                    event_id, read_session);
}

// ---- talks ----

void repository::insert(talk& t) {
    auto st = db_.prepare(std::string("INSERT INTO talks (event_id, session_id, title, abstract, starts_at, ends_at, "
                                      "position, created_at, updated_at) VALUES (:event_id, :session_id, :title, :abstract, "
                                      ":starts_at, :ends_at, :position, ") +
                          now_sql + ", " + now_sql + ")");
    st.bind(":event_id", t.event_id);
    bind_talk(st, t);
    st.run();
    t.id = db_.last_insert_id();
    save_speakers(t);
}

void repository::update(const talk& t) {
    auto st = db_.prepare(std::string("UPDATE talks SET session_id = :session_id, title = :title, abstract = :abstract, "
                                      "starts_at = :starts_at, ends_at = :ends_at, position = :position, updated_at = ") +
                          now_sql + " WHERE id = :id");
    bind_talk(st, t);
    st.bind(":id", t.id);
    st.run();
    save_speakers(t);
}

void repository::remove_talk(std::int64_t id) { db_.prepare("DELETE FROM talks WHERE id = ?").bind(1, id).run(); }

std::optional<talk> repository::find_talk(std::int64_t id) {
    auto one = talks_where("id = ?", id);
    if (one.empty()) return std::nullopt;
    return std::move(one.front());
}

std::vector<talk> repository::talks(std::int64_t event_id) {
    return talks_where("event_id = ? ORDER BY session_id, position, id", event_id);
}

std::vector<talk> repository::talks_of_session(std::int64_t session_id) {
    return talks_where("session_id = ? ORDER BY position, id", session_id);
}

std::vector<talk> repository::talks_where(const char* where, std::int64_t id) {
    auto out = all_rows(db_, std::string("SELECT ") + talk_columns + " FROM talks WHERE " + where, id, read_talk);
    load_speakers(out);
    return out;
}

void repository::set_order(const std::vector<std::int64_t>& talk_ids) {
    auto st = db_.prepare("UPDATE talks SET position = ? WHERE id = ?");
    std::int64_t pos = 0;
    for (auto id : talk_ids) {
        st.reset();
        st.bind(1, pos++).bind(2, id);
        st.run();
    }
}

void repository::save_speakers(const talk& t) {
    db_.prepare("DELETE FROM talk_speakers WHERE talk_id = ?").bind(1, t.id).run();
    auto st = db_.prepare("INSERT INTO talk_speakers (talk_id, speaker_id, role, position) VALUES (?, ?, ?, ?)");
    int pos = 0;
    for (const auto& ts : t.speakers) {
        st.reset();
        st.bind(1, t.id).bind(2, ts.speaker_id).bind(3, ts.role).bind(4, pos++);
        st.run();
    }
}

void repository::load_speakers(std::vector<talk>& ts) {
    if (ts.empty()) return;
    std::map<std::int64_t, talk*> by_id;
    for (auto& t : ts) by_id[t.id] = &t;
    // One query for an event's talks (or the one talk): the talks share an event.
    auto st = db_.prepare("SELECT ts.talk_id, ts.speaker_id, ts.role FROM talk_speakers ts JOIN talks t ON t.id = ts.talk_id "
                          "WHERE t.event_id = ? ORDER BY ts.talk_id, ts.position, ts.speaker_id");
    st.bind(1, ts.front().event_id);
    while (st.step()) {
        auto it = by_id.find(st.get_int(0));
        if (it != by_id.end()) it->second->speakers.push_back({st.get_int(1), st.get_text(2)});
    }
}

programme_data repository::load(std::int64_t event_id) {
    return programme_data{speakers(event_id), sessions(event_id), talks(event_id)};
}

std::int64_t repository::count_speakers(std::int64_t event_id) {
    return count(db_, "SELECT COUNT(*) FROM speakers WHERE event_id = ?", event_id);
}
std::int64_t repository::count_sessions(std::int64_t event_id) {
    return count(db_, "SELECT COUNT(*) FROM programme_sessions WHERE event_id = ?", event_id);
}
std::int64_t repository::count_talks(std::int64_t event_id) {
    return count(db_, "SELECT COUNT(*) FROM talks WHERE event_id = ?", event_id);
}

std::optional<std::int64_t> repository::event_of_speaker(std::int64_t id) {
    return first_row(db_, "SELECT event_id FROM speakers WHERE id = ?", id, [](storage::statement& st) { return st.get_int(0); });
}
std::optional<std::int64_t> repository::event_of_session(std::int64_t id) {
    return first_row(db_, "SELECT event_id FROM programme_sessions WHERE id = ?", id,
                     [](storage::statement& st) { return st.get_int(0); });
}
std::optional<std::int64_t> repository::event_of_talk(std::int64_t id) {
    return first_row(db_, "SELECT event_id FROM talks WHERE id = ?", id, [](storage::statement& st) { return st.get_int(0); });
}

}  // namespace sabor::programme
