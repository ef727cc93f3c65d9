#include "app/periodic.hpp"

#include <iostream>

namespace sabor::app {

periodic::periodic(std::string name, std::function<void()> tick, std::chrono::milliseconds every)
    : name_(std::move(name)), tick_(std::move(tick)), every_(every) {}

periodic::~periodic() { stop(); }

void periodic::start() { thread_ = std::thread([this] { run(); }); }

void periodic::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void periodic::run_once() {
    std::lock_guard round(round_mu_);
    try {
        tick_();
    } catch (const std::exception& e) {
        // A busy or failing database: logged (stderr; stdout's first line is the
        // listening address scripts wait for), and tried again next round.
        std::cerr << "error: " << name_ << ": " << e.what() << std::endl;
    }
}

void periodic::run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        lock.unlock();
        run_once();
        lock.lock();
        cv_.wait_for(lock, every_, [this] { return stopping_; });
    }
}

}  // namespace sabor::app
