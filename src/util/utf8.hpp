#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sabor::util {

// Strict UTF-8 check: rejects overlong forms, surrogates, code points above
// U+10FFFF and truncated sequences.
bool valid_utf8(std::string_view s);

// Number of code points; assumes `s` is valid UTF-8.
std::size_t utf8_length(std::string_view s);

// True if `s` contains a C0 control character (< 0x20) or DEL (0x7f).
// With `allow_newlines`, '\n', '\r' and '\t' are permitted.
bool has_control_chars(std::string_view s, bool allow_newlines);

// `s` without the leading and trailing characters in `chars` (ASCII white space by default).
std::string trim(std::string_view s, std::string_view chars = " \t\r\n");

// Unicode-aware lowercase (Latin, Cyrillic, ...) using the root locale.
std::string to_lower_utf8(std::string_view s);

}  // namespace sabor::util
