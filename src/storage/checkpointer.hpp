// Background WAL checkpoints. SQLite's automatic checkpoint runs in the connection that
// commits past 1,000 WAL pages, inside that request and while our write gate is held:
// copying pages back and fsyncing took tens of milliseconds from one unlucky registration.
// Connections attached here leave checkpoints to this thread, which runs a PASSIVE one
// (never blocking readers or writers) whenever the WAL has grown past the threshold.
#pragma once
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace sabor::storage {

class database;

class checkpointer {
public:
    explicit checkpointer(std::string path, int pages = 1000);
    ~checkpointer();
    checkpointer(const checkpointer&) = delete;
    checkpointer& operator=(const checkpointer&) = delete;

    // Turns off the connection's own automatic checkpoints and reports its commits here.
    void attach(database& db);
    long checkpoints() const { return done_.load(); }

private:
    static int on_commit(void* self, sqlite3*, const char*, int pages);
    void run();

    std::string path_;
    int pages_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool due_ = false;
    bool stopping_ = false;
    std::atomic<long> done_{0};
    std::thread thread_;
};

}  // namespace sabor::storage
