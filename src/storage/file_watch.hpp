// Notices the database file being deleted or replaced under the running server. SQLite keeps
// writing to the open (unlinked) file, so every write would be acknowledged and then lost:
// once the path no longer names the file opened at start, the server refuses writes (503)
// and /healthz fails. `serve` starts one watch; a thread compares the path's device and
// inode with the open file's every second.
#pragma once
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace sabor::storage {

class file_watch {
public:
    // Remembers the file now at `path` and becomes the process's database watch.
    explicit file_watch(std::string path, int interval_ms = 1000);
    ~file_watch();
    file_watch(const file_watch&) = delete;
    file_watch& operator=(const file_watch&) = delete;

    bool lost() const { return lost_.load(); }
    // Compares once (the thread calls this every interval).
    void check();

private:
    std::string path_;
    unsigned long long dev_ = 0, ino_ = 0;
    bool known_ = false;
    std::atomic<bool> lost_{false};
    int interval_ms_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

// True once the running server's database watch saw its file deleted or replaced.
bool database_file_lost();

}  // namespace sabor::storage
