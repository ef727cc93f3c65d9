// A thread of `sabor serve` that runs one round of work at start and then every few
// seconds until stopped: the due checks of scheduled messages and invitation campaigns.
// The work itself is a plain function over the database and a time, tested on its own;
// what it queues survives restarts because it is rows.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sabor::app {

class periodic {
public:
    // `tick` does one round; an exception is logged with `name` and the next round tries again.
    periodic(std::string name, std::function<void()> tick, std::chrono::milliseconds every);
    ~periodic();
    periodic(const periodic&) = delete;
    periodic& operator=(const periodic&) = delete;
    void start();
    void stop();  // finishes the round in hand, then returns
    // One round now, on the caller's thread, after the round in hand (the test hook).
    void run_once();

private:
    void run();
    std::string name_;
    std::function<void()> tick_;
    std::chrono::milliseconds every_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::mutex round_mu_;  // one round at a time, the thread's or run_once's
};

}  // namespace sabor::app
