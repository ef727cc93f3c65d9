#include "contacts/scheduler.hpp"

#include <iostream>

namespace sabor::contacts {

scheduler::scheduler(std::function<void()> tick, std::chrono::milliseconds every) : tick_(std::move(tick)), every_(every) {}

scheduler::~scheduler() { stop(); }

void scheduler::start() { thread_ = std::thread([this] { run(); }); }

void scheduler::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void scheduler::run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        lock.unlock();
        try {
            tick_();
        } catch (const std::exception& e) {
            std::cerr << "error: scheduled invitations: " << e.what() << std::endl;
        }
        lock.lock();
        cv_.wait_for(lock, every_, [this] { return stopping_; });
    }
}

}  // namespace sabor::contacts
