// A per-key (client address) limit of attempts per minute, in memory: enough for one
// server process, and cheap.
#pragma once
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sabor::accounts {

class rate_limiter {
public:
    explicit rate_limiter(long per_minute) : per_minute_(per_minute) {}
    // Records an attempt; false when the key has used up its minute (0 = no limit).
    bool allow(const std::string& key);

private:
    long per_minute_;
    std::mutex mu_;
    std::unordered_map<std::string, std::deque<std::chrono::steady_clock::time_point>> hits_;
};

}  // namespace sabor::accounts
