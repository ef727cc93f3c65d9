#include "mail/outbox.hpp"

#include "view/dates.hpp"

#include <chrono>
#include <mutex>

namespace sabor::mail {
namespace {
std::string iso(std::int64_t t) { return view::format_iso_utc(t); }

std::mutex waker_mutex;
std::function<void()> waker;

// After the commit, never before: the worker must find the message when it looks.
void wake_after_commit(storage::database& db) {
    static const char key = 0;
    db.after_commit(&key, [] {
        std::function<void()> w;
        {
            std::lock_guard lock(waker_mutex);
            w = waker;
        }
        if (w) w();
    });
}
}  // namespace

void outbox::set_waker(std::function<void()> wake) {
    std::lock_guard lock(waker_mutex);
    waker = std::move(wake);
}

std::int64_t outbox::enqueue(const queued_message& m) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (!insert_)
        insert_.emplace(db_.prepare(
            "INSERT INTO mail_outbox (kind, locale, event_id, from_address, to_address, to_name, subject, message_id, "
            "content, recipe, status, attempts, next_attempt_at, created_at) "
            "VALUES (:kind, :locale, :event_id, :from_address, :to_address, :to_name, :subject, :message_id, "
            ":content, :recipe, 'queued', 0, :now, :now)"));
    auto& st = *insert_;
    st.reset();
    st.bind(":kind", m.kind).bind(":locale", m.locale).bind(":event_id", m.event_id);
    st.bind(":from_address", m.from_address).bind(":to_address", m.to_address).bind(":to_name", m.to_name);
    st.bind(":subject", m.subject).bind(":message_id", m.message_id).bind(":content", m.content);
    st.bind(":recipe", m.recipe).bind(":now", iso(now));
    st.run();
    auto id = db_.last_insert_id();
    wake_after_commit(db_);
    return id;
}

std::vector<due_message> outbox::due(std::int64_t now, int limit) {
    auto st = db_.prepare(
        "SELECT id, attempts, created_at FROM mail_outbox "
        "WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?");
    st.bind(1, iso(now)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<due_message> out;
    while (st.step()) out.push_back({st.get_int(0), st.get_int(1), view::parse_iso8601(st.get_text(2)).value_or(now)});
    return out;
}

std::optional<stored_message> outbox::load(std::int64_t id) {
    auto st = db_.prepare(
        "SELECT id, kind, locale, from_address, to_address, to_name, subject, message_id, content, recipe "
        "FROM mail_outbox WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return stored_message{st.get_int(0),  st.get_text(1), st.get_text(2), st.get_text(3), st.get_text(4),
                          st.get_text(5), st.get_text(6), st.get_text(7), st.get_text(8), st.get_text(9)};
}

void outbox::set_content(std::int64_t id, const std::string& content) {
    db_.prepare("UPDATE mail_outbox SET content = ?, recipe = '' WHERE id = ?").bind(1, content).bind(2, id).run();
}

bool outbox::claim(std::int64_t id) {
    db_.prepare("UPDATE mail_outbox SET status = 'sending' WHERE id = ? AND status = 'queued'").bind(1, id).run();
    return db_.changes() == 1;
}

void outbox::mark_sent(std::int64_t id, std::int64_t now) {
    db_.prepare("UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ?")
        .bind(1, iso(now))
        .bind(2, id)
        .run();
}

void outbox::mark_retry(std::int64_t id, std::int64_t attempts, std::int64_t next_at, const std::string& error) {
    db_.prepare("UPDATE mail_outbox SET status = 'queued', attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")
        .bind(1, attempts)
        .bind(2, iso(next_at))
        .bind(3, error)
        .bind(4, id)
        .run();
}

void outbox::mark_failed(std::int64_t id, std::int64_t attempts, const std::string& error) {
    db_.prepare("UPDATE mail_outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?")
        .bind(1, attempts)
        .bind(2, error)
        .bind(3, id)
        .run();
}

int outbox::requeue_interrupted(std::int64_t now) {
    db_.prepare("UPDATE mail_outbox SET status = 'queued', next_attempt_at = ? WHERE status = 'sending'").bind(1, iso(now)).run();
    return db_.changes();
}

bool outbox::resend(std::int64_t id, std::int64_t now) {
    db_.prepare("UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, last_error = '', "
                "created_at = ? WHERE id = ? AND status IN ('sent', 'failed')")
        .bind(1, iso(now))
        .bind(2, iso(now))
        .bind(3, id)
        .run();
    bool queued = db_.changes() == 1;
    if (queued) wake_after_commit(db_);
    return queued;
}

std::optional<std::int64_t> outbox::next_due_at() {
    auto st = db_.prepare("SELECT MIN(next_attempt_at) FROM mail_outbox WHERE status = 'queued'");
    if (!st.step() || st.is_null(0)) return std::nullopt;
    return view::parse_iso8601(st.get_text(0));
}

std::vector<outbox_row> outbox::list(std::string_view status, std::int64_t limit, std::int64_t offset, std::int64_t* total) {
    if (total) {
        auto c = db_.prepare("SELECT COUNT(*) FROM mail_outbox WHERE ?1 = '' OR status = ?1");
        c.bind(1, status);
        c.step();
        *total = c.get_int(0);
    }
    auto st = db_.prepare(
        "SELECT id, kind, to_address, to_name, subject, message_id, status, attempts, next_attempt_at, last_error, "
        "created_at, COALESCE(sent_at, '') FROM mail_outbox WHERE ?1 = '' OR status = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3");
    st.bind(1, status).bind(2, limit).bind(3, offset);
    std::vector<outbox_row> out;
    while (st.step()) {
        outbox_row r;
        r.id = st.get_int(0);
        r.kind = st.get_text(1);
        r.to_address = st.get_text(2);
        r.to_name = st.get_text(3);
        r.subject = st.get_text(4);
        r.message_id = st.get_text(5);
        r.status = util::enum_stored<message_status>(statuses, st.get_text(6), "mail_outbox.status");
        r.attempts = st.get_int(7);
        r.next_attempt_at = st.get_text(8);
        r.last_error = st.get_text(9);
        r.created_at = st.get_text(10);
        r.sent_at = st.get_text(11);
        out.push_back(std::move(r));
    }
    return out;
}

outbox_counts outbox::counts() {
    outbox_counts c;
    auto st = db_.prepare("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status");
    while (st.step()) {
        auto n = st.get_int(1);
        switch (util::enum_stored<message_status>(statuses, st.get_text(0), "mail_outbox.status")) {
        case message_status::queued: c.queued = n; break;
        case message_status::sending: c.sending = n; break;
        case message_status::sent: c.sent = n; break;
        case message_status::failed: c.failed = n; break;
        }
    }
    return c;
}

}  // namespace sabor::mail
