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
    // Optional e-mail verification: the checked input waits here, under a hashed token,
    // until the link in the message is opened; only then is a registration made and its seat
    // decided.
    migration{9, R"SQL(
CREATE TABLE registration_requests (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    input      TEXT NOT NULL,
    locale     TEXT NOT NULL DEFAULT 'bg',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX registration_requests_event_email ON registration_requests(event_id, email);
)SQL"},
    // The programme: sessions (the days follow from their dates), talks in a session, and
    // the event's speakers linked to talks in a role.
    migration{10, R"SQL(
CREATE TABLE speakers (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    honorific    TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    position     TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    bio          TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    photo        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX speakers_event ON speakers(event_id);
CREATE TABLE programme_sessions (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'plenary' CHECK (kind IN ('plenary', 'panel', 'workshop', 'discussion', 'break')),
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    room        TEXT NOT NULL DEFAULT '',
    chair_id    INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX programme_sessions_event ON programme_sessions(event_id, starts_at);
CREATE TABLE talks (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES programme_sessions(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    abstract   TEXT NOT NULL DEFAULT '',
    starts_at  TEXT NOT NULL DEFAULT '',
    ends_at    TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX talks_session ON talks(session_id, position);
CREATE INDEX talks_event ON talks(event_id);
CREATE TABLE talk_speakers (
    talk_id    INTEGER NOT NULL REFERENCES talks(id) ON DELETE CASCADE,
    speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    role       TEXT NOT NULL DEFAULT 'speaker' CHECK (role IN ('speaker', 'moderator', 'panellist')),
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (talk_id, speaker_id)
);
CREATE INDEX talk_speakers_speaker ON talk_speakers(speaker_id);
)SQL"},
    // Presentations and documents: stored under the data folder by a generated name; the
    // cleaned original name is kept for the download. A release time per event.
    migration{11, R"SQL(
ALTER TABLE events ADD COLUMN materials_release_at TEXT NOT NULL DEFAULT '';
CREATE TABLE materials (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    talk_id      INTEGER REFERENCES talks(id) ON DELETE SET NULL,
    title        TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL,
    stored_name  TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX materials_event ON materials(event_id, talk_id);
CREATE INDEX materials_sha256 ON materials(event_id, sha256);
)SQL"},
    // Contacts with tags, invitation campaigns with one personal invitation per contact,
    // and the addresses that asked for no more bulk mail.
    migration{12, R"SQL(
CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    organisation      TEXT NOT NULL DEFAULT '',
    position          TEXT NOT NULL DEFAULT '',
    organisation_type TEXT NOT NULL DEFAULT '',
    town              TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    search_key        TEXT NOT NULL DEFAULT '',
    unsubscribed_at   TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (contact_id, tag)
);
CREATE INDEX contact_tags_tag ON contact_tags(tag);
CREATE TABLE invitation_campaigns (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    filter     TEXT NOT NULL DEFAULT '{}',
    locale     TEXT NOT NULL DEFAULT 'bg',
    send_at    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'queued', 'cancelled')),
    queued_at  TEXT,
    skipped_unsubscribed INTEGER NOT NULL DEFAULT 0,
    skipped_invited      INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX invitation_campaigns_due ON invitation_campaigns(status, send_at);
CREATE INDEX invitation_campaigns_event ON invitation_campaigns(event_id);
CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES invitation_campaigns(id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    outbox_id       INTEGER REFERENCES mail_outbox(id) ON DELETE SET NULL,
    registration_id INTEGER REFERENCES registrations(id) ON DELETE SET NULL,
    declined_at     TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (event_id, email)
);
CREATE INDEX invitations_campaign ON invitations(campaign_id);
CREATE INDEX invitations_outbox ON invitations(outbox_id);
CREATE TABLE mail_suppressions (
    email      TEXT PRIMARY KEY,
    source     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
)SQL"},
    // Messages sent on their own at a set time before or after an event (the reminder the
    // day before, the thank-you after); sent_at makes each go out once, across restarts.
    migration{13, R"SQL(
CREATE TABLE scheduled_messages (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reminder', 'thanks')),
    enabled    INTEGER NOT NULL DEFAULT 1,
    offset_minutes INTEGER NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    sent_at    TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (event_id, kind)
);
)SQL"},
    // Every personal link a person was ever sent keeps working: a promotion, a reminder, a
    // repeat registration or a resend adds a link instead of replacing the one in the mails
    // the person kept. registrations.token_hash and invitations.token_hash stay as the first
    // link's hash; lookups go through these tables.
    migration{14, R"SQL(
CREATE TABLE registration_links (
    token_hash      TEXT PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL
);
CREATE INDEX registration_links_registration ON registration_links(registration_id);
INSERT INTO registration_links (token_hash, registration_id, created_at) SELECT token_hash, id, created_at FROM registrations;
CREATE TABLE invitation_links (
    token_hash    TEXT PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL
);
CREATE INDEX invitation_links_invitation ON invitation_links(invitation_id);
INSERT INTO invitation_links (token_hash, invitation_id, created_at) SELECT token_hash, id, created_at FROM invitations;
)SQL"},
    // Each event's contact (issue 11): shown on its page and in every mail about it, which
    // carries Reply-To: contact_email. The reminder's default subject said "tomorrow"
    // whatever the offset: a subject still as shipped follows the real day from now on.
    migration{15, R"SQL(
ALTER TABLE events ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
UPDATE scheduled_messages SET subject = 'Напомняне: {{event_title}} е {{event_day}}'
 WHERE kind = 'reminder' AND subject = 'Напомняне: {{event_title}} е утре';
UPDATE scheduled_messages SET subject = 'Reminder: {{event_title}} is {{event_day}}'
 WHERE kind = 'reminder' AND subject = 'Reminder: {{event_title}} is tomorrow';
)SQL"},
    // How each organiser hears of requests awaiting approval on moderated events: a mail per
    // request, or one digest a day. digest_items are the requests the next digest will list
    // (written with the request, deleted with the digest's outbox row), digest_day the local
    // date of the last digest, so a day has one digest, also across restarts.
    migration{16, R"SQL(
CREATE TABLE request_notice_settings (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    mode       TEXT NOT NULL DEFAULT 'each' CHECK (mode IN ('each', 'daily')),
    locale     TEXT NOT NULL DEFAULT 'bg' CHECK (locale IN ('bg', 'en')),
    digest_day TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE request_digest_items (
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, registration_id)
);
)SQL"},
    // An organiser's own subject and text of a registration mail, per event, kind and
    // language; no row means the default text of mail-templates/KIND/.
    migration{17, R"SQL(
CREATE TABLE event_mail_texts (
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    lang       TEXT NOT NULL CHECK (lang IN ('bg', 'en')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (event_id, kind, lang)
);
)SQL"},
    // Accounts can be disabled (no sign-in, no session, no token works); API tokens may expire
    // and remember when they were last used (to the hour: see repository::user_for_api_token).
    migration{18, R"SQL(
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
)SQL"},
    // Password resets: a single-use link mailed to the account's own address, valid for an
    // hour; only the token's hash is kept.
    migration{19, R"SQL(
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets(user_id);
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
