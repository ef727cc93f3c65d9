// The thread of `sabor serve` that sends scheduled messages: every few seconds it runs
// send_due() on its own connection, with the (test-movable) clock of util::now_seconds().
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sabor::mail {
class composer;
}

namespace sabor::registration {

struct scheduler_options {
    std::string database_path;
    const mail::composer* mail = nullptr;
    std::string public_base;
    std::chrono::milliseconds interval{2000};
    std::function<void()> on_queued;  // wakes the mail worker
};

class scheduler {
public:
    explicit scheduler(scheduler_options o);
    ~scheduler();
    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;
    void start();
    void stop();  // finishes the round in hand, then returns

private:
    void run();
    scheduler_options opts_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace sabor::registration
