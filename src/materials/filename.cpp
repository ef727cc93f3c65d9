#include "materials/filename.hpp"

#include "util/translit.hpp"
#include "util/utf8.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <stdexcept>

namespace sabor::materials {

namespace {

// Calls f(code point, its bytes) for each code point; invalid bytes come as negative values.
template <typename F>
void for_each_code_point(std::string_view s, F f) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
    const auto len = static_cast<std::int32_t>(s.size());
    std::int32_t i = 0;
    while (i < len) {
        const std::int32_t begin = i;
        UChar32 c = 0;
        U8_NEXT(bytes, i, len, c);
        f(c, s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(i - begin)));
    }
}

std::string to_nfc(std::string_view s) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFC normalizer unavailable");
    const icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<std::int32_t>(s.size())));
    const icu::UnicodeString out = nfc->normalize(in, status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFC normalization failed");
    std::string result;
    out.toUTF8String(result);
    return result;
}

bool is_ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Length of a trailing ".ext" worth keeping when the name is cut, or 0.
std::size_t extension_length(std::string_view name) {
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return 0;
    const std::string_view ext = name.substr(dot + 1);
    if (ext.empty() || ext.size() > 15) return 0;
    for (char c : ext) {
        if (!is_ascii_alnum(c)) return 0;
    }
    return ext.size() + 1;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void trim_trailing_spaces(std::string& s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
}

// ASCII stand-ins for the typography word processors put into titles.
const char* ascii_for(UChar32 c) {
    if (c < 0 || u_charType(c) == U_CONTROL_CHAR) return nullptr;
    if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212) return "-";  // hyphens, dashes, minus
    if (c == 0x2018 || c == 0x2019 || c == 0x201A || c == 0x2032) return "'";
    if (c == 0x2026) return "...";
    if (u_isUWhiteSpace(c)) return " ";
    return nullptr;
}

bool attr_char(unsigned char c) {
    return is_ascii_alnum(static_cast<char>(c)) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string ascii_fallback(std::string_view name) {
    std::string out;
    for_each_code_point(util::transliterate_bg(name), [&](UChar32 c, std::string_view bytes) {
        if (c >= 0x20 && c < 0x7F) {
            const bool unsafe = c == '"' || c == '\\' || c == ';' || c == '%';
            out += unsafe ? '_' : bytes.front();
        } else if (const char* ascii = ascii_for(c)) {
            out += ascii;
        } else {
            out += '_';
        }
    });
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (attr_char(c)) {
            out += ch;
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 0x0F];
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> clean_filename(std::string_view given) {
    // '/' and '\' are ASCII, so they never sit inside a multi-byte sequence.
    if (const std::size_t sep = given.find_last_of("/\\"); sep != std::string_view::npos) {
        given.remove_prefix(sep + 1);
    }
    if (!util::valid_utf8(given)) return std::nullopt;

    std::string out;
    for_each_code_point(to_nfc(given), [&](UChar32 c, std::string_view bytes) {
        if (u_isUWhiteSpace(c)) {
            // Leading spaces go; a run of spaces becomes one.
            if (!out.empty() && out.back() != ' ') out += ' ';
            return;
        }
        const auto type = u_charType(c);
        if (type == U_CONTROL_CHAR || type == U_FORMAT_CHAR) return;
        if (c == '.' && out.empty()) return;  // no hidden files, no "..": leading dots go
        out += bytes;
    });
    trim_trailing_spaces(out);

    if (out.size() > max_filename_bytes) {
        const std::size_t ext_len = extension_length(out);
        const std::string ext = out.substr(out.size() - ext_len);
        std::size_t cut = max_filename_bytes - ext_len;
        while (cut > 0 && is_continuation(out[cut])) --cut;
        out.resize(cut);
        trim_trailing_spaces(out);
        out += ext;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::string content_disposition(std::string_view filename, bool inline_) {
    std::string out = inline_ ? "inline" : "attachment";
    if (filename.empty()) return out;
    const std::string fallback = ascii_fallback(filename);
    out += "; filename=\"" + fallback + '"';
    if (fallback != filename) out += "; filename*=UTF-8''" + percent_encode(filename);
    return out;
}

}  // namespace sabor::materials
