#include "accounts/security.hpp"

namespace sabor::accounts {

bool rate_limiter::allow(const std::string& key) {
    if (per_minute_ <= 0) return true;
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (hits_.size() > 10000) hits_.clear();  // bounded memory under a flood of addresses
    auto& q = hits_[key];
    while (!q.empty() && now - q.front() > std::chrono::minutes(1)) q.pop_front();
    if (static_cast<long>(q.size()) >= per_minute_) return false;
    q.push_back(now);
    return true;
}

}  // namespace sabor::accounts
