// What every fuzz target shares: a check that aborts with the broken invariant's name (so
// libFuzzer keeps the input), and a UTF-8 test for what sabor promises to hand on.
#pragma once
#include "util/utf8.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fuzz {

inline void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

inline void check_utf8(std::string_view s, const char* what) { check(sabor::util::valid_utf8(s), what); }

}  // namespace fuzz
