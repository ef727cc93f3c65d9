// Limits on attempts, in memory: enough for one server process, and cheap. Each remembers at
// most `max_keys` keys and forgets the least recently used one first, so a flood of new keys
// cannot wipe what it knows about an attacker's key (clearing everything would).
#pragma once
#include <chrono>
#include <cstddef>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sabor::accounts {

using steady = std::chrono::steady_clock;

// At most `per_minute` attempts a minute per key (a client address).
class rate_limiter {
public:
    explicit rate_limiter(long per_minute, std::size_t max_keys = 10000) : per_minute_(per_minute), max_keys_(max_keys) {}
    // Records an attempt; false when the key has used up its minute (0 = no limit).
    bool allow(const std::string& key, steady::time_point now = steady::now());
    std::size_t size();

private:
    struct entry {
        std::deque<steady::time_point> hits;
        std::list<std::string>::iterator pos;
    };
    long per_minute_;
    std::size_t max_keys_;
    std::mutex mu_;
    std::list<std::string> order_;  // most recently used first
    std::unordered_map<std::string, entry> hits_;
};

// Failed logins per account, from wherever they come: after `free_failures` in a row each
// further attempt must wait twice as long as the last (1 s, 2 s, 4 s ...), at most `max_wait`,
// so guessing is slow and the owner is kept out for minutes at worst, never for good. A
// successful login, or a day without failures, starts the count again.
class login_guard {
public:
    explicit login_guard(int free_failures = 5, std::chrono::seconds max_wait = std::chrono::minutes(15),
                         std::size_t max_keys = 10000)
        : free_(free_failures), max_wait_(max_wait), max_keys_(max_keys) {}
    // How long the account must wait before its next attempt (zero: it may try now).
    std::chrono::milliseconds wait(const std::string& account, steady::time_point now = steady::now());
    void failed(const std::string& account, steady::time_point now = steady::now());
    void succeeded(const std::string& account);
    std::size_t size();

private:
    struct entry {
        int failures = 0;
        steady::time_point last;
        std::list<std::string>::iterator pos;
    };
    int free_;
    std::chrono::seconds max_wait_;
    std::size_t max_keys_;
    std::mutex mu_;
    std::list<std::string> order_;
    std::unordered_map<std::string, entry> entries_;
};

// The one rule for a new password, wherever it is set (the CLI, an admin, a reset link, the
// account page): valid UTF-8, at least 8 characters, at most 1024 bytes (argon2 hashes what
// it is given; a megabyte of "password" would be a megabyte hashed).
bool acceptable_password(std::string_view password);

// A wait as the whole seconds a person is told to wait (rounded up).
std::string whole_seconds(std::chrono::milliseconds wait);

}  // namespace sabor::accounts
