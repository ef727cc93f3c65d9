#include "util/utf8.hpp"

#include <unicode/locid.h>
#include <unicode/unistr.h>

namespace sabor::util {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        // Work out the sequence length and the allowed range of the second
        // byte; narrowing that range is what rules out overlongs, surrogates
        // and values above U+10FFFF (Unicode Table 3-7).
        std::size_t len = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;  // overlong
            if (c == 0xED) hi = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;  // overlong
            if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return false;  // stray continuation, C0/C1 overlong lead, F5..FF
        }
        if (n - i < len) return false;
        const auto second = static_cast<unsigned char>(s[i + 1]);
        if (second < lo || second > hi) return false;
        for (std::size_t k = 2; k < len; ++k) {
            if (!is_continuation(static_cast<unsigned char>(s[i + k]))) return false;
        }
        i += len;
    }
    return true;
}

std::size_t utf8_length(std::string_view s) {
    std::size_t count = 0;
    for (char ch : s) {
        if (!is_continuation(static_cast<unsigned char>(ch))) ++count;
    }
    return count;
}

bool has_control_chars(std::string_view s, bool allow_newlines) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0x7F) return true;
        if (c >= 0x20) continue;
        if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
        return true;
    }
    return false;
}

std::string to_lower_utf8(std::string_view s) {
    // Root locale: no Turkish dotless-i surprises, same result on every host.
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(
        icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    u.toLower(icu::Locale::getRoot());
    std::string out;
    u.toUTF8String(out);
    return out;
}

std::string trim(std::string_view s, std::string_view chars) {
    auto first = s.find_first_not_of(chars);
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(chars) - first + 1));
}

}  // namespace sabor::util
