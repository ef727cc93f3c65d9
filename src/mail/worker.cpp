#include "mail/worker.hpp"

#include "mail/message.hpp"
#include "mail/outbox.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

namespace sabor::mail {
namespace {

// Writes the message as NNNNNN.eml atomically (temporary name, then rename).
void write_eml(const std::string& dir, std::int64_t id, const std::string& content) {
    std::filesystem::create_directories(dir);
    char name[32];
    std::snprintf(name, sizeof name, "%06lld.eml", static_cast<long long>(id));
    auto final_path = std::filesystem::path(dir) / name;
    auto tmp = final_path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, final_path);
}

}  // namespace

std::int64_t retry_delay(std::int64_t attempts, std::int64_t first_seconds) {
    constexpr std::int64_t cap = 4 * 3600;
    std::int64_t d = first_seconds;
    for (std::int64_t i = 1; i < attempts && d < cap; ++i) d *= 3;
    return d < cap ? d : cap;
}

worker::worker(worker_options o) : opts_(std::move(o)) {}

worker::~worker() { stop(); }

std::int64_t worker::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void worker::start() {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void worker::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    flushed_.notify_all();
    wake();
    if (thread_.joinable()) thread_.join();
}

void worker::wake() {
    {
        std::lock_guard lock(mu_);
        woken_ = true;
    }
    cv_.notify_one();
}

void worker::flush() {
    std::unique_lock lock(mu_);
    auto ticket = ++flush_asked_;
    woken_ = true;
    cv_.notify_one();
    flushed_.wait(lock, [&] { return flush_done_ >= ticket || stopping_.load(); });
}

void worker::run() {
    try {
        storage::database db(opts_.database_path, false);
        outbox(db).requeue_interrupted(now());
    } catch (const std::exception& e) {
        std::cerr << "mail: " << e.what() << std::endl;
    }
    // One client for the worker's life: consecutive messages share its connection, which
    // is dropped after a quiet minute rather than held open forever.
    smtp_client smtp(opts_.smtp);
    auto last_activity = std::chrono::steady_clock::now();
    while (!stopping_) {
        std::uint64_t ticket;
        {
            std::lock_guard lock(mu_);
            ticket = flush_asked_;
        }
        try {
            if (std::chrono::steady_clock::now() < paused_until_) {
                // The server could not be reached a moment ago: wait for the pause to end.
            } else if (deliver_due(smtp)) {
                last_activity = std::chrono::steady_clock::now();
            } else if (std::chrono::steady_clock::now() - last_activity > std::chrono::minutes(1)) {
                smtp.disconnect();
            }
        } catch (const std::exception& e) {
            // The database may be busy or gone for a moment: say so and try again shortly.
            std::cerr << "mail: " << e.what() << std::endl;
            db_.reset();
        }
        std::unique_lock lock(mu_);
        flush_done_ = ticket;
        flushed_.notify_all();
        // Poll once a second as well: other processes queue too, and retries come due.
        cv_.wait_for(lock, std::chrono::seconds(1), [this] { return woken_ || stopping_.load(); });
        woken_ = false;
    }
}

bool worker::deliver_due(smtp_client& smtp) {
    if (!db_) db_ = std::make_unique<storage::database>(opts_.database_path, false);
    auto& db = *db_;
    outbox box(db);
    // Each change to a row in a transaction of its own: it queues on the process's write
    // gate with the requests instead of meeting them in SQLite's busy handler.
    auto write = [&db](auto&& change) {
        storage::transaction tx(db);
        auto result = change();
        tx.commit();
        return result;
    };
    // Outcomes written together, at the latest every 200 ms; kept when the write fails.
    auto flushed_at = std::chrono::steady_clock::now();
    auto flush = [&] {
        if (!unwritten_.empty())
            write([&] {
                for (const auto& o : unwritten_) {
                    if (o.kind == outcome::sent) box.mark_sent(o.id, o.at);
                    else if (o.kind == outcome::failed) box.mark_failed(o.id, o.attempts, o.error);
                    else box.mark_retry(o.id, o.attempts, o.at, o.error);
                }
                return true;
            });
        unwritten_.clear();
        flushed_at = std::chrono::steady_clock::now();
    };
    flush();  // what a failed write left over
    bool sent_any = false;
    auto interval = opts_.rate_per_minute > 0 ? std::chrono::microseconds(60'000'000 / opts_.rate_per_minute)
                                              : std::chrono::microseconds(0);
    // Without a rate limit, messages go in batches: claimed in one write and their outcomes
    // written together (a few commits a second instead of two per message), because every
    // commit also empties the server's rendered-page cache. A crash mid-batch sends the
    // batch's unconfirmed messages again after the restart (same Message-ID), as it did
    // for the one message in hand before.
    const int batch_size = interval.count() > 0 ? 1 : 50;
    struct ready {
        due_message m;
        stored_message msg;
        bool built = false;
    };
    while (!stopping_) {
        auto due = box.due(now(), batch_size);
        if (due.empty()) return sent_any;
        std::vector<ready> batch;
        std::vector<std::pair<due_message, std::string>> broken;
        for (auto& m : due) {
            auto msg = box.load(m.id);
            if (!msg) continue;
            bool built = false;
            if (msg->content.empty()) {
                try {
                    if (!opts_.compose) throw build_error("no composer for a message kept as a recipe");
                    msg->content = opts_.compose(*msg);
                    built = true;
                } catch (const std::exception& e) {
                    broken.emplace_back(m, e.what());
                    continue;
                }
            }
            batch.push_back({m, std::move(*msg), built});
        }
        // Claimed and (when just built) stored in one write; one an admin changed meanwhile drops out.
        write([&] {
            for (const auto& [m, error] : broken) box.mark_failed(m.id, m.attempts + 1, "cannot build the message: " + error);
            std::erase_if(batch, [&box](const ready& r) {
                if (!box.claim(r.m.id)) return true;
                if (r.built) box.set_content(r.m.id, r.msg.content);
                return false;
            });
            return true;
        });
        // Claimed messages from `settled` on have no outcome yet.
        std::size_t settled = 0;
        // Claimed but not sent (stopping, or the server is gone): back to the queue as they were.
        auto unclaim_rest = [&](std::int64_t at) {
            for (; settled < batch.size(); ++settled)
                unwritten_.push_back({outcome::retry, batch[settled].m.id, batch[settled].m.attempts, at, ""});
        };
        try {
            for (std::size_t i = 0; i < batch.size(); ++i) {
                const auto& m = batch[i].m;
                const auto& msg = batch[i].msg;
                if (stopping_) {
                    unclaim_rest(now());
                    flush();
                    return sent_any;
                }
                if (interval.count() > 0) {
                    auto wait_until = last_send_ + interval;
                    std::unique_lock lock(mu_);
                    if (cv_.wait_until(lock, wait_until, [this] { return stopping_.load(); })) {
                        lock.unlock();
                        unclaim_rest(now());
                        flush();
                        return sent_any;
                    }
                }
                last_send_ = std::chrono::steady_clock::now();
                sent_any = true;
                send_result r;
                if (opts_.smtp.url.empty()) {
                    try {
                        write_eml(opts_.eml_dir, m.id, msg.content);
                        r.ok = true;
                    } catch (const std::exception& e) {
                        r.error = e.what();
                    }
                } else {
                    r = smtp.send(msg.from_address, msg.to_address, msg.content);
                }
                auto attempts = m.attempts + 1;
                settled = i + 1;
                if (r.ok) {
                    unwritten_.push_back({outcome::sent, m.id, attempts, now(), ""});
                } else if (r.permanent) {
                    unwritten_.push_back({outcome::failed, m.id, attempts, 0, r.error});
                } else {
                    auto next = now() + retry_delay(attempts, opts_.retry_first_seconds);
                    if (next - m.created_at > opts_.retry_max_hours * 3600)
                        unwritten_.push_back({outcome::failed, m.id, attempts, 0,
                                              "gave up after " + std::to_string(attempts) + " attempts: " + r.error});
                    else
                        unwritten_.push_back({outcome::retry, m.id, attempts, next, r.error});
                    // No server answered: the rest waits for a pause (the first retry's delay)
                    // instead of each trying (and timing out) in turn.
                    if (r.code == 0) {
                        unclaim_rest(now() + opts_.retry_first_seconds);
                        paused_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(opts_.retry_first_seconds);
                        flush();
                        return sent_any;
                    }
                }
                if (std::chrono::steady_clock::now() - flushed_at > std::chrono::milliseconds(200)) flush();
            }
            flush();
        } catch (...) {
            // A write failed: the unsent rest goes back to the queue with the outcomes kept.
            unclaim_rest(now());
            throw;
        }
    }
    return sent_any;
}

}  // namespace sabor::mail
