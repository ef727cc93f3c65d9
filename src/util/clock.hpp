#pragma once
#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace sabor::util {

// Seconds added to the clock, from SABOR_TEST_NOW_OFFSET (read once): tests move a server's
// time forward to make reminders and deadlines fall due. Unset in production: 0.
inline std::int64_t clock_offset_seconds() {
    static const std::int64_t offset = [] {
        const char* v = std::getenv("SABOR_TEST_NOW_OFFSET");
        return v ? std::strtoll(v, nullptr, 10) : 0;
    }();
    return offset;
}

// Unix seconds now: one place, so the offset above applies everywhere.
inline std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
           clock_offset_seconds();
}

}  // namespace sabor::util
