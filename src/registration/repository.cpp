#include "registration/repository.hpp"

#include "util/utf8.hpp"

namespace sabor::registration {
namespace {

constexpr const char* columns =
    "id, event_id, name, email, organisation, position, organisation_type, town, phone, consent, public_listing, "
    "status, locale, created_at, updated_at, COALESCE(checked_in_at, ''), answers, source";
constexpr const char* now_sql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

registration read(storage::statement& st) {
    registration r;
    int i = 0;
    r.id = st.get_int(i++);
    r.event_id = st.get_int(i++);
    r.name = st.get_text(i++);
    r.email = st.get_text(i++);
    r.organisation = st.get_text(i++);
    r.position = st.get_text(i++);
    r.organisation_type = st.get_text(i++);
    r.town = st.get_text(i++);
    r.phone = st.get_text(i++);
    r.consent = st.get_int(i++) != 0;
    r.public_listing = st.get_int(i++) != 0;
    r.status = util::enum_stored<registration_status>(statuses, st.get_text(i++), "registrations.status");
    r.locale = st.get_text(i++);
    r.created_at = st.get_text(i++);
    r.updated_at = st.get_text(i++);
    r.checked_in_at = st.get_text(i++);
    r.answers = st.get_text(i++);
    r.source = st.get_text(i++);
    return r;
}

// What the organisers' search looks in, lower-cased once on write (ICU: Cyrillic and Latin).
std::string search_key(const registration& r) {
    return util::to_lower_utf8(r.name + " " + r.email + " " + r.organisation + " " + r.position + " " + r.town);
}

// What the INSERT and the UPDATE of a registration's details both write, by their names there.
void bind_details(storage::statement& st, const registration& r) {
    st.bind(":name", r.name).bind(":organisation", r.organisation).bind(":position", r.position);
    st.bind(":organisation_type", r.organisation_type).bind(":town", r.town).bind(":phone", r.phone);
    st.bind(":public_listing", r.public_listing ? 1 : 0).bind(":search_key", search_key(r)).bind(":answers", r.answers);
}

std::optional<registration> one(storage::statement& st) {
    if (!st.step()) return std::nullopt;
    return read(st);
}

}  // namespace

std::int64_t repository::insert(const registration& r, const std::string& token_hash) {
    auto st = db_.prepare(std::string("INSERT INTO registrations (event_id, name, email, organisation, position, "
                                      "organisation_type, town, phone, consent, public_listing, status, locale, token_hash, "
                                      "search_key, answers, source, created_at, updated_at) VALUES (:event_id, :name, :email, "
                                      ":organisation, :position, :organisation_type, :town, :phone, :consent, :public_listing, "
                                      ":status, :locale, :token_hash, :search_key, :answers, :source, ") +
                          now_sql + ", " + now_sql + ")");
    bind_details(st, r);
    st.bind(":event_id", r.event_id).bind(":email", r.email).bind(":consent", r.consent ? 1 : 0);
    st.bind(":status", to_string(r.status)).bind(":locale", r.locale).bind(":token_hash", token_hash).bind(":source", r.source);
    st.run();
    auto id = db_.last_insert_id();
    add_link(id, token_hash);
    return id;
}

void repository::update_details(const registration& r) {
    auto st = db_.prepare(std::string("UPDATE registrations SET name = :name, organisation = :organisation, "
                                      "position = :position, organisation_type = :organisation_type, town = :town, "
                                      "phone = :phone, public_listing = :public_listing, search_key = :search_key, "
                                      "answers = :answers, updated_at = ") +
                          now_sql + " WHERE id = :id");
    bind_details(st, r);
    st.bind(":id", r.id);
    st.run();
}

void repository::set_status(std::int64_t id, registration_status status) {
    db_.prepare(std::string("UPDATE registrations SET status = ?, updated_at = ") + now_sql + " WHERE id = ?")
        .bind(1, to_string(status))
        .bind(2, id)
        .run();
}

void repository::add_link(std::int64_t id, const std::string& token_hash) {
    db_.prepare(std::string("INSERT INTO registration_links (token_hash, registration_id, created_at) VALUES (?, ?, ") +
                now_sql + ")")
        .bind(1, token_hash)
        .bind(2, id)
        .run();
}

bool repository::link_mailed_within_hour(std::int64_t event_id, const std::string& email) {
    auto st = db_.prepare("SELECT 1 FROM mail_outbox WHERE kind = 'registration_link' AND event_id = ? AND to_address = ? "
                          "AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour') LIMIT 1");
    st.bind(1, event_id).bind(2, email);
    return st.step();
}

void repository::set_checked_in(std::int64_t id, bool in) {
    if (in)
        db_.prepare(std::string("UPDATE registrations SET checked_in_at = COALESCE(checked_in_at, ") + now_sql +
                    ") WHERE id = ?")
            .bind(1, id)
            .run();
    else
        db_.prepare("UPDATE registrations SET checked_in_at = NULL WHERE id = ?").bind(1, id).run();
}

void repository::remove(std::int64_t id) { db_.prepare("DELETE FROM registrations WHERE id = ?").bind(1, id).run(); }

std::optional<registration> repository::find(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM registrations WHERE id = ?");
    st.bind(1, id);
    return one(st);
}

std::optional<registration> repository::find_by_email(std::int64_t event_id, const std::string& email) {
    // "email <> ''" lets SQLite use the partial unique index (walk-ins may have no address);
    // without it every registration of the event is read.
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM registrations WHERE event_id = ? AND email = ? AND email <> ''");
    st.bind(1, event_id).bind(2, email);
    return one(st);
}

std::optional<registration> repository::find_by_token(const std::string& token_hash) {
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM registrations WHERE id = (SELECT registration_id FROM registration_links WHERE token_hash = ?)");
    st.bind(1, token_hash);
    return one(st);
}

std::optional<std::int64_t> repository::event_of(std::int64_t id) {
    auto st = db_.prepare("SELECT event_id FROM registrations WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return st.get_int(0);
}

std::optional<std::int64_t> repository::id_by_token(const std::string& token_hash) {
    auto st = db_.prepare("SELECT registration_id FROM registration_links WHERE token_hash = ?");
    st.bind(1, token_hash);
    if (!st.step()) return std::nullopt;
    return st.get_int(0);
}

std::int64_t repository::count(std::int64_t event_id, registration_status status) {
    auto st = db_.prepare("SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status = ?");
    st.bind(1, event_id).bind(2, to_string(status));
    st.step();
    return st.get_int(0);
}

std::int64_t repository::count_active() {
    auto st = db_.prepare("SELECT COUNT(*) FROM registrations WHERE status IN ('confirmed', 'waitlisted', 'pending')");
    st.step();
    return st.get_int(0);
}

status_counts repository::counts(std::int64_t event_id) {
    status_counts c;
    auto st = db_.prepare("SELECT status, COUNT(*), COUNT(checked_in_at) FROM registrations WHERE event_id = ? GROUP BY status");
    st.bind(1, event_id);
    while (st.step()) {
        auto n = st.get_int(1);
        c.checked_in += st.get_int(2);
        switch (util::enum_stored<registration_status>(statuses, st.get_text(0), "registrations.status")) {
        case registration_status::confirmed:
            c.confirmed = n;
            c.attended = st.get_int(2);
            break;
        case registration_status::waitlisted: c.waitlisted = n; break;
        case registration_status::pending: c.pending = n; break;
        case registration_status::cancelled: c.cancelled = n; break;
        case registration_status::rejected: c.rejected = n; break;
        }
    }
    return c;
}

namespace {
std::vector<repository::group_count> grouped(storage::statement st, std::int64_t event_id) {
    st.bind(1, event_id);
    std::vector<repository::group_count> out;
    while (st.step()) out.push_back({st.get_text(0), st.get_int(1), st.get_int(2), st.get_int(3)});
    return out;
}
}  // namespace

// Two fixed statements rather than a column name put together at run time.
std::vector<repository::group_count> repository::by_organisation_type(std::int64_t event_id) {
    return grouped(db_.prepare("SELECT organisation_type, SUM(status = 'confirmed'), "
                               "SUM(status = 'confirmed' AND checked_in_at IS NOT NULL), SUM(status = 'waitlisted') "
                               "FROM registrations WHERE event_id = ? AND status IN ('confirmed', 'waitlisted') "
                               "GROUP BY organisation_type ORDER BY 2 DESC, 4 DESC, organisation_type"),
                   event_id);
}

std::vector<repository::group_count> repository::by_town(std::int64_t event_id) {
    return grouped(db_.prepare("SELECT town, SUM(status = 'confirmed'), "
                               "SUM(status = 'confirmed' AND checked_in_at IS NOT NULL), SUM(status = 'waitlisted') "
                               "FROM registrations WHERE event_id = ? AND status IN ('confirmed', 'waitlisted') "
                               "GROUP BY town ORDER BY 2 DESC, 4 DESC, town"),
                   event_id);
}

std::optional<registration> repository::first_waitlisted(std::int64_t event_id) {
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM registrations WHERE event_id = ? AND status = 'waitlisted' ORDER BY created_at, id LIMIT 1");
    st.bind(1, event_id);
    return one(st);
}

std::int64_t repository::waitlist_position(const registration& r) {
    auto st = db_.prepare("SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status = 'waitlisted' AND "
                          "(created_at < ? OR (created_at = ? AND id <= ?))");
    st.bind(1, r.event_id).bind(2, r.created_at).bind(3, r.created_at).bind(4, r.id);
    st.step();
    return st.get_int(0);
}

std::vector<repository::history_entry> repository::history(const registration& r) {
    auto st = db_.prepare(
        "SELECT a.created_at, 'audit', a.action, a.detail, COALESCE(u.name, '') FROM audit_log a "
        "LEFT JOIN users u ON u.id = a.user_id WHERE a.event_id = ?1 AND a.subject_id = ?2 AND a.action LIKE 'registration.%' "
        "UNION ALL SELECT created_at, 'mail', kind, status, '' FROM mail_outbox "
        "WHERE event_id = ?1 AND to_address = ?3 AND ?3 <> '' ORDER BY 1");
    st.bind(1, r.event_id).bind(2, r.id).bind(3, r.email);
    std::vector<history_entry> out;
    while (st.step()) out.push_back({st.get_text(0), st.get_text(1), st.get_text(2), st.get_text(3), st.get_text(4)});
    return out;
}

std::vector<registration> repository::expecting(std::int64_t event_id) {
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM registrations WHERE event_id = ? AND status IN ('pending', 'confirmed', 'waitlisted') "
                          "AND email <> '' ORDER BY id");
    st.bind(1, event_id);
    std::vector<registration> out;
    while (st.step()) out.push_back(read(st));
    return out;
}

std::vector<registration> repository::list(std::int64_t event_id, std::string_view status, const std::string& query_lower,
                                           std::int64_t limit, std::int64_t offset, std::int64_t* total) {
    // instr() instead of LIKE: the query is data, and % or _ in it must not act as wildcards.
    std::string where = " FROM registrations WHERE event_id = ?1 AND (?2 = '' OR status = ?2) AND (?3 = '' OR instr(search_key, ?3) > 0)";
    if (total) {
        auto c = db_.prepare("SELECT COUNT(*)" + where);
        c.bind(1, event_id).bind(2, status).bind(3, query_lower);
        c.step();
        *total = c.get_int(0);
    }
    auto st = db_.prepare(std::string("SELECT ") + columns + where + " ORDER BY id LIMIT ?4 OFFSET ?5");
    st.bind(1, event_id).bind(2, status).bind(3, query_lower).bind(4, limit).bind(5, offset);
    std::vector<registration> out;
    while (st.step()) out.push_back(read(st));
    return out;
}

}  // namespace sabor::registration
