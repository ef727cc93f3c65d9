#include "storage/checkpointer.hpp"

#include "storage/database.hpp"

#include <sqlite3.h>

#include <chrono>
#include <iostream>

namespace sabor::storage {

checkpointer::checkpointer(std::string path, int pages) : path_(std::move(path)), pages_(pages) {
    thread_ = std::thread([this] { run(); });
}

checkpointer::~checkpointer() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void checkpointer::attach(database& db) {
    sqlite3_wal_autocheckpoint(db.handle(), 0);
    sqlite3_wal_hook(db.handle(), &checkpointer::on_commit, this);
}

int checkpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
    auto* c = static_cast<checkpointer*>(self);
    if (pages >= c->pages_) {
        {
            std::lock_guard lock(c->mu_);
            c->due_ = true;
        }
        c->cv_.notify_one();
    }
    return SQLITE_OK;
}

void checkpointer::run() {
    std::unique_ptr<database> db;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        // Also every few seconds: commits from other processes (the CLI) do not call our hook.
        cv_.wait_for(lock, std::chrono::seconds(5), [this] { return due_ || stopping_; });
        if (stopping_) break;
        due_ = false;
        lock.unlock();
        try {
            if (!db) db = std::make_unique<database>(path_, false);
            int log = 0, copied = 0;
            int rc = sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY) std::cerr << "checkpoint: " << sqlite3_errstr(rc) << std::endl;
            ++done_;
        } catch (const std::exception& e) {
            std::cerr << "checkpoint: " << e.what() << std::endl;
        }
        lock.lock();
    }
    lock.unlock();
    // A last full pass on the way out keeps the WAL short for the next start.
    try {
        if (db) sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } catch (...) {
    }
}

}  // namespace sabor::storage
