// The mail worker: its own thread and database connection, never the I/O threads. It sends
// due messages from the outbox over one reused SMTP connection (or writes them as .eml
// files when no server is configured), and retries temporary failures with growing pauses.
#pragma once
#include "mail/smtp.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sabor::storage {
class database;
}

namespace sabor::mail {

struct stored_message;

struct worker_options {
    std::string database_path;
    // Builds a message from its stored recipe (composer::compose); throws on failure.
    std::function<std::string(const stored_message&)> compose;
    smtp_options smtp;        // url empty: write .eml files into eml_dir
    std::string eml_dir;
    long rate_per_minute = 0;  // 0 = no limit
    long retry_first_seconds = 10;
    long retry_max_hours = 24;
};

// The pause before attempt `attempts + 1`: first, x3 each time, at most 4 hours.
std::int64_t retry_delay(std::int64_t attempts, std::int64_t first_seconds);

class worker {
public:
    explicit worker(worker_options o);
    ~worker();
    void start();
    void stop();  // finishes the message in hand, then returns
    void wake();  // something was queued: look now rather than at the next poll
    // Wakes the worker and waits until a round that began after this call has finished:
    // what was due is handed over (or failed) when it returns (the test hook).
    void flush();

private:
    void run();
    // Returns true when it handed something to the server.
    bool deliver_due(smtp_client& smtp);
    std::int64_t now() const;

    worker_options opts_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
    std::uint64_t flush_asked_ = 0, flush_done_ = 0;  // flush(): rounds asked for and finished
    std::condition_variable flushed_;
    // After a connection to the server failed: no new attempt before this moment, however
    // much is queued meanwhile (each would only fail in turn).
    std::chrono::steady_clock::time_point paused_until_{};
    // The last hand-over to the server: the rate limit holds across rounds, not only within one.
    std::chrono::steady_clock::time_point last_send_{};
    std::unique_ptr<storage::database> db_;  // the worker thread's own connection
    // What happened to claimed messages, not yet written: kept across a failed write (the
    // database busy or gone for a moment) and written first next time, so a claimed
    // message is neither stranded in 'sending' nor sent again.
    struct outcome {
        enum { sent, failed, retry } kind;
        std::int64_t id, attempts, at;
        std::string error;
    };
    std::vector<outcome> unwritten_;
    std::atomic<bool> stopping_{false};
};

}  // namespace sabor::mail
