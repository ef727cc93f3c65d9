#include "storage/file_watch.hpp"

#include <sys/stat.h>

#include <chrono>
#include <iostream>

namespace sabor::storage {
namespace {
std::atomic<file_watch*> current{nullptr};
}

file_watch::file_watch(std::string path, int interval_ms) : path_(std::move(path)), interval_ms_(interval_ms) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) {
        dev_ = st.st_dev;
        ino_ = st.st_ino;
        known_ = true;
    }
    current = this;
    thread_ = std::thread([this] {
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; })) check();
    });
}

file_watch::~file_watch() {
    file_watch* self = this;
    current.compare_exchange_strong(self, nullptr);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void file_watch::check() {
    if (lost_ || !known_) return;
    struct stat st {};
    bool gone = ::stat(path_.c_str(), &st) != 0;
    if (!gone && st.st_dev == dev_ && st.st_ino == ino_) return;
    lost_ = true;
    std::cerr << "error: the database file " << path_ << (gone ? " was deleted" : " was replaced by another file")
              << " while sabor runs; writes are refused from now on (restore the file and restart sabor)" << std::endl;
}

bool database_file_lost() {
    auto* w = current.load();
    return w && w->lost();
}

}  // namespace sabor::storage
