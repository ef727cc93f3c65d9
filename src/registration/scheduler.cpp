#include "registration/scheduler.hpp"

#include "registration/scheduled.hpp"
#include "storage/database.hpp"
#include "util/clock.hpp"

#include <iostream>
#include <memory>

namespace sabor::registration {

scheduler::scheduler(scheduler_options o) : opts_(std::move(o)) {}

scheduler::~scheduler() { stop(); }

void scheduler::start() {
    {
        std::lock_guard lock(mu_);
        stopping_ = false;
    }
    thread_ = std::thread([this] { run(); });
}

void scheduler::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void scheduler::run() {
    std::unique_ptr<storage::database> db;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        lock.unlock();
        try {
            if (!db) db = std::make_unique<storage::database>(opts_.database_path, false);
            auto started = std::chrono::steady_clock::now();
            if (auto queued = send_due(*db, *opts_.mail, opts_.public_base, util::now_seconds()); queued > 0) {
                auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
                // stderr: stdout's first line is the listening address that scripts wait for.
                std::cerr << "scheduled messages: " << queued << " queued in " << ms.count() << " ms" << std::endl;
                if (opts_.on_queued) opts_.on_queued();
            }
        } catch (const std::exception& e) {
            // A busy or failing database: logged, and tried again next round.
            std::cerr << "scheduled messages: " << e.what() << std::endl;
        }
        lock.lock();
        cv_.wait_for(lock, opts_.interval, [this] { return stopping_; });
    }
}

}  // namespace sabor::registration
