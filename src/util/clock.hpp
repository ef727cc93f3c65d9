#pragma once
#include <chrono>
#include <cstdint>

namespace sabor::util {
// Unix seconds now: one place, so a controllable clock can replace it in one place.
inline std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace sabor::util
