#include "storage/migrations.hpp"

#include <array>
#include <string_view>

namespace sabor::storage {
namespace {

struct migration {
    int version;
    std::string_view sql;
};

// Plain SQL with portable types (INTEGER, TEXT), times as ISO 8601 UTC text, so a
// PostgreSQL schema can follow line for line. Never edit a released migration: add one.
constexpr std::array migrations{
    migration{1, R"SQL(
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'organiser')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL
);
CREATE TABLE events (
    id                    INTEGER PRIMARY KEY,
    slug                  TEXT NOT NULL UNIQUE,
    title                 TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    starts_at             TEXT NOT NULL,
    ends_at               TEXT NOT NULL,
    timezone              TEXT NOT NULL DEFAULT 'Europe/Sofia',
    venue                 TEXT NOT NULL DEFAULT '',
    address               TEXT NOT NULL DEFAULT '',
    city                  TEXT NOT NULL DEFAULT '',
    capacity              INTEGER NOT NULL DEFAULT 0,
    registration_mode     TEXT NOT NULL DEFAULT 'open',
    materials_visibility  TEXT NOT NULL DEFAULT 'public',
    description           TEXT NOT NULL DEFAULT '',
    funding_programme     TEXT NOT NULL DEFAULT '',
    funding_project_code  TEXT NOT NULL DEFAULT '',
    funding_project_title TEXT NOT NULL DEFAULT '',
    funding_statement     TEXT NOT NULL DEFAULT '',
    created_by            INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX events_status_starts ON events(status, starts_at);
CREATE TABLE event_organisations (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('organiser', 'partner')),
    name     TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX event_organisations_event ON event_organisations(event_id);
CREATE TABLE event_managers (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, user_id)
);
)SQL"},
    migration{2, R"SQL(
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    locale          TEXT NOT NULL,
    event_id        INTEGER REFERENCES events(id) ON DELETE SET NULL,
    from_address    TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    to_name         TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    content         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
)SQL"},
    migration{3, R"SQL(
CREATE TABLE registrations (
    id                INTEGER PRIMARY KEY,
    event_id          INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    organisation      TEXT NOT NULL DEFAULT '',
    position          TEXT NOT NULL DEFAULT '',
    organisation_type TEXT NOT NULL DEFAULT '',
    town              TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    consent           INTEGER NOT NULL DEFAULT 0,
    public_listing    INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected')),
    locale            TEXT NOT NULL DEFAULT 'bg',
    token_hash        TEXT NOT NULL UNIQUE,
    search_key        TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    checked_in_at     TEXT,
    UNIQUE (event_id, email)
);
CREATE INDEX registrations_event_status ON registrations(event_id, status, id);
)SQL"},
    migration{4, R"SQL(
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    event_id   INTEGER,
    subject_id INTEGER,
    detail     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX audit_log_event ON audit_log(event_id, id);
)SQL"},
    migration{5, R"SQL(
ALTER TABLE events ADD COLUMN public_participants INTEGER NOT NULL DEFAULT 0;
)SQL"},
    migration{6, R"SQL(
ALTER TABLE events ADD COLUMN waitlist INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN registration_opens_at TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN registration_closes_at TEXT NOT NULL DEFAULT '';
)SQL"},
    migration{7, R"SQL(
ALTER TABLE mail_outbox ADD COLUMN recipe TEXT NOT NULL DEFAULT '';
)SQL"},
    // Registration forms per event; answers to the organiser's questions; walk-ins added at
    // the desk may have no e-mail, so "one per address" becomes a partial unique index
    // (SQLite cannot drop a table constraint: the table is rebuilt).
    migration{8, R"SQL(
ALTER TABLE events ADD COLUMN registration_form TEXT NOT NULL DEFAULT '';
CREATE TABLE registrations_new (
    id                INTEGER PRIMARY KEY,
    event_id          INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    organisation      TEXT NOT NULL DEFAULT '',
    position          TEXT NOT NULL DEFAULT '',
    organisation_type TEXT NOT NULL DEFAULT '',
    town              TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    consent           INTEGER NOT NULL DEFAULT 0,
    public_listing    INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected')),
    locale            TEXT NOT NULL DEFAULT 'bg',
    token_hash        TEXT NOT NULL UNIQUE,
    search_key        TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    checked_in_at     TEXT,
    answers           TEXT NOT NULL DEFAULT '{}',
    source            TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'desk', 'organiser'))
);
INSERT INTO registrations_new (id, event_id, name, email, organisation, position, organisation_type, town, phone,
    consent, public_listing, status, locale, token_hash, search_key, created_at, updated_at, checked_in_at)
SELECT id, event_id, name, email, organisation, position, organisation_type, town, phone,
    consent, public_listing, status, locale, token_hash, search_key, created_at, updated_at, checked_in_at
FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_new RENAME TO registrations;
CREATE INDEX registrations_event_status ON registrations(event_id, status, id);
CREATE UNIQUE INDEX registrations_event_email ON registrations(event_id, email) WHERE email <> '';
)SQL"},
};

void ensure_table(database& db) {
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
}

}  // namespace

int schema_version(database& db) {
    ensure_table(db);
    auto st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    st.step();
    return static_cast<int>(st.get_int(0));
}

int latest_schema_version() { return migrations.back().version; }

int migrate(database& db) {
    ensure_table(db);
    int ran = 0;
    for (const auto& m : migrations) {
        transaction tx(db);
        // Read inside the write lock, so two processes migrating at once cannot both apply.
        if (m.version <= schema_version(db)) continue;
        db.exec(m.sql);
        db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))")
            .bind(1, m.version)
            .run();
        tx.commit();
        ++ran;
    }
    return ran;
}

}  // namespace sabor::storage
