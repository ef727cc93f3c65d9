// Sends scheduled invitation campaigns when they fall due: a thread in `sabor serve` that
// calls run_due_campaigns (a plain function over the database and a time, tested on its
// own) at start and then every few seconds. Due campaigns survive restarts: they are rows.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sabor::contacts {

class scheduler {
public:
    // `tick` does one round (it opens its own connection); exceptions are logged, not fatal.
    scheduler(std::function<void()> tick, std::chrono::milliseconds every);
    ~scheduler();
    void start();
    void stop();

private:
    void run();
    std::function<void()> tick_;
    std::chrono::milliseconds every_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
};

}  // namespace sabor::contacts
