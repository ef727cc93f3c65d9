#include "events/repository.hpp"

#include "util/translit.hpp"
#include "util/time.hpp"

namespace sabor::events {
namespace {

constexpr const char* columns =
    "id, slug, title, kind, status, starts_at, ends_at, timezone, venue, address, city, capacity, registration_mode, "
    "materials_visibility, description, funding_programme, funding_project_code, funding_project_title, "
    "funding_statement, COALESCE(created_by, 0), created_at, updated_at, public_participants, "
    "waitlist, registration_opens_at, registration_closes_at, registration_form, contact_email, contact_phone";

constexpr const char* now_sql = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";

event read_event(storage::statement& st) {
    event e;
    int i = 0;
    e.id = st.get_int(i++);
    e.slug = st.get_text(i++);
    e.title = st.get_text(i++);
    e.kind = st.get_text(i++);
    e.status = util::enum_stored<event_status>(statuses, st.get_text(i++), "events.status");
    e.starts_at = util::parse_iso8601(st.get_text(i++)).value_or(0);
    e.ends_at = util::parse_iso8601(st.get_text(i++)).value_or(0);
    e.timezone = st.get_text(i++);
    e.venue = st.get_text(i++);
    e.address = st.get_text(i++);
    e.city = st.get_text(i++);
    e.capacity = st.get_int(i++);
    e.registration_mode = st.get_text(i++);
    e.materials_visibility = st.get_text(i++);
    e.description = st.get_text(i++);
    e.funding_programme = st.get_text(i++);
    e.funding_project_code = st.get_text(i++);
    e.funding_project_title = st.get_text(i++);
    e.funding_statement = st.get_text(i++);
    e.created_by = st.get_int(i++);
    e.created_at = st.get_text(i++);
    e.updated_at = st.get_text(i++);
    e.public_participants = st.get_int(i++) != 0;
    e.waitlist = st.get_int(i++) != 0;
    e.registration_opens_at = util::parse_iso8601(st.get_text(i++)).value_or(0);
    e.registration_closes_at = util::parse_iso8601(st.get_text(i++)).value_or(0);
    e.registration_form = st.get_text(i++);
    e.contact_email = st.get_text(i++);
    e.contact_phone = st.get_text(i++);
    return e;
}

// Optional times are stored as '' when unset (portable, and NOT NULL keeps reads simple).
std::string optional_time(std::int64_t t) { return t ? util::format_iso_utc(t) : std::string{}; }

// Binds the fields the INSERT and UPDATE below both write, by their names there.
void bind_fields(storage::statement& st, const event& e) {
    st.bind(":title", e.title)
        .bind(":kind", e.kind)
        .bind(":starts_at", util::format_iso_utc(e.starts_at))
        .bind(":ends_at", util::format_iso_utc(e.ends_at))
        .bind(":timezone", e.timezone)
        .bind(":venue", e.venue)
        .bind(":address", e.address)
        .bind(":city", e.city)
        .bind(":capacity", e.capacity)
        .bind(":registration_mode", e.registration_mode)
        .bind(":materials_visibility", e.materials_visibility)
        .bind(":description", e.description)
        .bind(":funding_programme", e.funding_programme)
        .bind(":funding_project_code", e.funding_project_code)
        .bind(":funding_project_title", e.funding_project_title)
        .bind(":funding_statement", e.funding_statement)
        .bind(":public_participants", e.public_participants ? 1 : 0)
        .bind(":waitlist", e.waitlist ? 1 : 0)
        .bind(":registration_opens_at", optional_time(e.registration_opens_at))
        .bind(":registration_closes_at", optional_time(e.registration_closes_at));
}

}  // namespace

bool repository::slug_taken(std::string_view slug) {
    auto st = db_.prepare("SELECT 1 FROM events WHERE slug = ?");
    st.bind(1, slug);
    return st.step();
}

void repository::insert(event& e, std::int64_t manager) {
    auto base = util::slugify(e.title);
    e.slug = base;
    for (int n = 2; slug_taken(e.slug); ++n) e.slug = base + "-" + std::to_string(n);
    auto st = db_.prepare(std::string(
                              "INSERT INTO events (title, kind, starts_at, ends_at, timezone, venue, address, city, capacity, "
                              "registration_mode, materials_visibility, description, funding_programme, funding_project_code, "
                              "funding_project_title, funding_statement, slug, status, created_by, public_participants, "
                              "waitlist, registration_opens_at, registration_closes_at, created_at, updated_at) "
                              "VALUES (:title, :kind, :starts_at, :ends_at, :timezone, :venue, :address, :city, :capacity, "
                              ":registration_mode, :materials_visibility, :description, :funding_programme, "
                              ":funding_project_code, :funding_project_title, :funding_statement, :slug, :status, :created_by, "
                              ":public_participants, :waitlist, :registration_opens_at, :registration_closes_at, ") +
                          now_sql + ", " + now_sql + ")");
    bind_fields(st, e);
    st.bind(":slug", e.slug).bind(":status", to_string(e.status));
    st.bind(":created_by", manager ? std::optional<std::int64_t>(manager) : std::nullopt);
    st.run();
    e.id = db_.last_insert_id();
    save_organisations(e);
    save_contact(e);
    if (manager)
        db_.prepare("INSERT INTO event_managers (event_id, user_id) VALUES (?, ?)").bind(1, e.id).bind(2, manager).run();
}

void repository::update(const event& e) {
    auto st = db_.prepare(std::string(
                              "UPDATE events SET title = :title, kind = :kind, starts_at = :starts_at, ends_at = :ends_at, "
                              "timezone = :timezone, venue = :venue, address = :address, city = :city, capacity = :capacity, "
                              "registration_mode = :registration_mode, materials_visibility = :materials_visibility, "
                              "description = :description, funding_programme = :funding_programme, "
                              "funding_project_code = :funding_project_code, funding_project_title = :funding_project_title, "
                              "funding_statement = :funding_statement, public_participants = :public_participants, "
                              "waitlist = :waitlist, registration_opens_at = :registration_opens_at, "
                              "registration_closes_at = :registration_closes_at, updated_at = ") +
                          now_sql + " WHERE id = :id");
    bind_fields(st, e);
    st.bind(":id", e.id);
    st.run();
    save_organisations(e);
    save_contact(e);
}

void repository::save_contact(const event& e) {
    db_.prepare("UPDATE events SET contact_email = ?, contact_phone = ? WHERE id = ?")
        .bind(1, e.contact_email)
        .bind(2, e.contact_phone)
        .bind(3, e.id)
        .run();
}

void repository::set_registration_form(std::int64_t id, const std::string& stored) {
    db_.prepare(std::string("UPDATE events SET registration_form = ?, updated_at = ") + now_sql + " WHERE id = ?")
        .bind(1, stored)
        .bind(2, id)
        .run();
}

void repository::set_status(std::int64_t id, event_status status) {
    db_.prepare(std::string("UPDATE events SET status = ?, updated_at = ") + now_sql + " WHERE id = ?")
        .bind(1, to_string(status))
        .bind(2, id)
        .run();
}

void repository::remove(std::int64_t id) { db_.prepare("DELETE FROM events WHERE id = ?").bind(1, id).run(); }

std::optional<event> repository::find(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM events WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    auto e = read_event(st);
    load_organisations(e);
    return e;
}

std::optional<event> repository::find_by_slug(std::string_view slug) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM events WHERE slug = ?");
    st.bind(1, slug);
    if (!st.step()) return std::nullopt;
    auto e = read_event(st);
    load_organisations(e);
    return e;
}

std::vector<event> repository::list_public(const list_filter& f, std::int64_t* total) {
    // Upcoming: not yet ended, soonest first. Past: ended, latest first.
    std::string where = " FROM events WHERE status IN ('published', 'cancelled') AND ";
    where += f.past ? "ends_at < ?1" : "ends_at >= ?1";
    where += " AND (?2 = '' OR city = ?2) AND (?3 = '' OR kind = ?3)";
    auto now = util::format_iso_utc(f.now);
    if (total) {
        auto c = db_.prepare("SELECT COUNT(*)" + where);
        c.bind(1, now).bind(2, f.city).bind(3, f.kind);
        c.step();
        *total = c.get_int(0);
    }
    auto st = db_.prepare(std::string("SELECT ") + columns + where + " ORDER BY starts_at " + (f.past ? "DESC" : "ASC") +
                          ", id LIMIT ?4 OFFSET ?5");
    st.bind(1, now).bind(2, f.city).bind(3, f.kind).bind(4, f.limit).bind(5, f.offset);
    std::vector<event> out;
    while (st.step()) out.push_back(read_event(st));
    for (auto& e : out) load_organisations(e);
    return out;
}

std::vector<std::string> repository::public_cities() {
    auto st = db_.prepare("SELECT DISTINCT city FROM events WHERE status IN ('published', 'cancelled') AND city <> '' "
                          "ORDER BY city");
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.get_text(0));
    return out;
}

std::vector<event> repository::list_managed(std::int64_t user_id, bool all) {
    auto st = db_.prepare(std::string("SELECT ") + columns +
                          " FROM events WHERE ?1 OR id IN (SELECT event_id FROM event_managers WHERE user_id = ?2) "
                          "ORDER BY starts_at DESC, id DESC");
    st.bind(1, all ? 1 : 0).bind(2, user_id);
    std::vector<event> out;
    while (st.step()) out.push_back(read_event(st));
    return out;
}

bool repository::is_manager(std::int64_t event_id, std::int64_t user_id) {
    auto st = db_.prepare("SELECT 1 FROM event_managers WHERE event_id = ? AND user_id = ?");
    st.bind(1, event_id).bind(2, user_id);
    return st.step();
}

std::int64_t repository::confirmed_count(std::int64_t event_id) {
    auto st = db_.prepare("SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status = 'confirmed'");
    st.bind(1, event_id);
    st.step();
    return st.get_int(0);
}

std::int64_t repository::count_by_status(event_status status) {
    auto st = db_.prepare("SELECT COUNT(*) FROM events WHERE status = ?");
    st.bind(1, to_string(status));
    st.step();
    return st.get_int(0);
}

void repository::load_organisations(event& e) {
    e.organisers.clear();
    e.partners.clear();
    auto st = db_.prepare("SELECT role, name FROM event_organisations WHERE event_id = ? ORDER BY position");
    st.bind(1, e.id);
    while (st.step()) (st.get_text(0) == "organiser" ? e.organisers : e.partners).push_back(st.get_text(1));
}

void repository::save_organisations(const event& e) {
    db_.prepare("DELETE FROM event_organisations WHERE event_id = ?").bind(1, e.id).run();
    auto st = db_.prepare("INSERT INTO event_organisations (event_id, role, name, position) VALUES (?, ?, ?, ?)");
    int pos = 0;
    for (const auto* list : {&e.organisers, &e.partners}) {
        for (const auto& name : *list) {
            st.reset();
            st.bind(1, e.id).bind(2, list == &e.organisers ? "organiser" : "partner").bind(3, name).bind(4, pos++);
            st.run();
        }
    }
}

}  // namespace sabor::events
