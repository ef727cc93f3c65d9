// The outbox: every message is a row, written in the same transaction as the change that
// causes it. A row holds either the complete MIME message or its recipe (kind, locale and
// template data as JSON), which the mail worker turns into the message before sending, so
// that building MIME stays out of the write transaction. All mail SQL is here.
#pragma once
#include "mail/model.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sabor::mail {

struct queued_message {
    std::string kind;  // "test", "registration_confirmed", ...
    std::string locale;
    std::optional<std::int64_t> event_id;
    std::string from_address;  // SMTP envelope sender
    std::string to_address;
    std::string to_name;
    std::string subject;
    std::string message_id;
    std::string content;  // the whole message, CRLF line ends; empty while only the recipe is kept
    std::string recipe;   // JSON the composer builds `content` from
};

// One message as stored, for the worker to send.
struct stored_message {
    std::int64_t id = 0;
    std::string kind, locale, from_address, to_address, to_name, subject, message_id, content, recipe;
};

struct outbox_row {
    std::int64_t id = 0;
    std::string kind;
    std::string to_address;
    std::string to_name;
    std::string subject;
    std::string message_id;
    message_status status = message_status::queued;
    std::int64_t attempts = 0;
    std::string next_attempt_at;
    std::string last_error;
    std::string created_at;
    std::string sent_at;
};

struct due_message {
    std::int64_t id = 0;
    std::int64_t attempts = 0;
    std::int64_t created_at = 0;  // Unix seconds
};

struct outbox_counts {
    std::int64_t queued = 0, sending = 0, sent = 0, failed = 0;
};

class outbox {
public:
    explicit outbox(storage::database& db) : db_(db) {}
    // What wakes the mail worker once a transaction that queued or re-queued mail has
    // committed (set by `serve`; nothing by default). Callers never wake it by hand.
    static void set_waker(std::function<void()> wake);
    storage::database& db() { return db_; }

    // Call inside the transaction of the change that causes the message. The statement is
    // prepared once per outbox object, so queueing a campaign reuses it.
    std::int64_t enqueue(const queued_message& m);

    // Messages due at `now`, oldest first (their ids; load() reads one whole).
    std::vector<due_message> due(std::int64_t now, int limit);
    std::optional<stored_message> load(std::int64_t id);
    // Keeps the message built from its recipe, so a resend sends the same bytes.
    void set_content(std::int64_t id, const std::string& content);
    // Marks a message as being handed to the server; only a queued one (true when it was).
    bool claim(std::int64_t id);
    void mark_sent(std::int64_t id, std::int64_t now);
    void mark_retry(std::int64_t id, std::int64_t attempts, std::int64_t next_at, const std::string& error);
    void mark_failed(std::int64_t id, std::int64_t attempts, const std::string& error);
    // After a crash: messages left "sending" go back to the queue (sent at most twice,
    // recognisable by their Message-ID). Returns how many.
    int requeue_interrupted(std::int64_t now);
    // An admin's resend: back to the queue, due now. False when unknown or still queued.
    bool resend(std::int64_t id, std::int64_t now);
    std::optional<std::int64_t> next_due_at();

    // `status`: the filter as asked for ("" for all; text that names no status matches nobody).
    std::vector<outbox_row> list(std::string_view status, std::int64_t limit, std::int64_t offset, std::int64_t* total);
    outbox_counts counts();

private:
    storage::database& db_;
    std::optional<storage::statement> insert_;
};

}  // namespace sabor::mail
