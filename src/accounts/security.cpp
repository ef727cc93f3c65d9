#include "accounts/security.hpp"

#include "util/utf8.hpp"

#include <algorithm>

namespace sabor::accounts {
namespace {

// The entry for `key`, made when missing and moved to the front of `order`; the least
// recently used entries beyond `max` are dropped.
template <class Entry>
Entry& touch(std::unordered_map<std::string, Entry>& map, std::list<std::string>& order, const std::string& key,
             std::size_t max) {
    auto it = map.find(key);
    if (it != map.end()) {
        order.splice(order.begin(), order, it->second.pos);
        return it->second;
    }
    while (!order.empty() && map.size() >= std::max<std::size_t>(max, 1)) {
        map.erase(order.back());
        order.pop_back();
    }
    order.push_front(key);
    auto& e = map[key];
    e.pos = order.begin();
    return e;
}

}  // namespace

bool rate_limiter::allow(const std::string& key, steady::time_point now) {
    if (per_minute_ <= 0) return true;
    std::lock_guard lock(mu_);
    auto& q = touch(hits_, order_, key, max_keys_).hits;
    while (!q.empty() && now - q.front() >= std::chrono::minutes(1)) q.pop_front();
    if (static_cast<long>(q.size()) >= per_minute_) return false;
    q.push_back(now);
    return true;
}

std::size_t rate_limiter::size() {
    std::lock_guard lock(mu_);
    return hits_.size();
}

std::chrono::milliseconds login_guard::wait(const std::string& account, steady::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(account);
    if (it == entries_.end() || it->second.failures < free_) return std::chrono::milliseconds(0);
    int over = std::min(it->second.failures - free_, 30);
    auto delay = std::min<std::chrono::milliseconds>(std::chrono::seconds(1) * (1LL << over), max_wait_);
    auto until = it->second.last + delay;
    if (until <= now) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(until - now) + std::chrono::milliseconds(1);
}

void login_guard::failed(const std::string& account, steady::time_point now) {
    std::lock_guard lock(mu_);
    auto& e = touch(entries_, order_, account, max_keys_);
    if (e.failures > 0 && now - e.last > std::chrono::hours(24)) e.failures = 0;
    ++e.failures;
    e.last = now;
}

void login_guard::succeeded(const std::string& account) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(account);
    if (it == entries_.end()) return;
    order_.erase(it->second.pos);
    entries_.erase(it);
}

std::size_t login_guard::size() {
    std::lock_guard lock(mu_);
    return entries_.size();
}

bool acceptable_password(std::string_view password) {
    return util::valid_utf8(password) && util::utf8_length(password) >= 8 && password.size() <= 1024;
}

std::string whole_seconds(std::chrono::milliseconds wait) { return std::to_string((wait.count() + 999) / 1000); }

}  // namespace sabor::accounts
