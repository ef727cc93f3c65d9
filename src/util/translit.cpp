#include "util/translit.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace sabor::util {

namespace {

// Lowercase Latin spelling of а..я (U+0430..U+044F); nullptr for ы and э,
// which are not Bulgarian letters and so pass through unchanged.
constexpr const char* k_lower_map[32] = {
    "a",  "b",  "v",  "g",   "d", "e", "zh", "z",   // а б в г д е ж з
    "i",  "y",  "k",  "l",   "m", "n", "o",  "p",   // и й к л м н о п
    "r",  "s",  "t",  "u",   "f", "h", "ts", "ch",  // р с т у ф х ц ч
    "sh", "sht", "a", nullptr, "y", nullptr, "yu", "ya",  // ш щ ъ ы ь э ю я
};

struct code_point {
    UChar32 value = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Decodes the code point starting at `pos`; invalid bytes come back as
// negative values so they are copied through untouched.
code_point next_code_point(std::string_view s, std::size_t pos) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
    auto i = static_cast<int32_t>(pos);
    const auto len = static_cast<int32_t>(s.size());
    code_point cp;
    cp.begin = pos;
    U8_NEXT(bytes, i, len, cp.value);
    cp.end = static_cast<std::size_t>(i);
    return cp;
}

// Maps a Bulgarian letter to its lowercase Latin form; nullptr if none.
const char* latin_for(UChar32 c) {
    if (c >= 0x0410 && c <= 0x042F) c += 0x20;   // upper -> lower
    if (c == 0x045D || c == 0x040D) return "i";  // ѝ / Ѝ (pronoun "her")
    if (c < 0x0430 || c > 0x044F) return nullptr;
    return k_lower_map[c - 0x0430];
}

bool is_upper_cyrillic(UChar32 c) { return c >= 0x0400 && c <= 0x042F; }

bool is_i(UChar32 c) { return c == 0x0438 || c == 0x0418; }
bool is_ya(UChar32 c) { return c == 0x044F || c == 0x042F; }

bool is_letter(UChar32 c) { return c >= 0 && u_isalpha(c); }

bool is_hard_sign(UChar32 c) { return c == 0x044A || c == 0x042A; }

UChar32 to_lower_cyrillic(UChar32 c) { return (c >= 0x0410 && c <= 0x042F) ? c + 0x20 : c; }

// End of the word "България" (any case) starting at `pos`, or 0. The law
// spells the country's name "Bulgaria", although ъ is normally "a".
std::size_t bulgaria_word_end(std::string_view s, std::size_t pos) {
    static constexpr UChar32 k_word[] = {0x0431, 0x044A, 0x043B, 0x0433,
                                         0x0430, 0x0440, 0x0438, 0x044F};
    for (UChar32 expected : k_word) {
        if (pos >= s.size()) return 0;
        const code_point cp = next_code_point(s, pos);
        if (to_lower_cyrillic(cp.value) != expected) return 0;
        pos = cp.end;
    }
    if (pos < s.size() && is_letter(next_code_point(s, pos).value)) return 0;
    return pos;
}

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// Appends `latin` in the case of the source letter. A capital followed (or,
// at a word end, preceded) by another capital is treated as part of an
// all-caps word, so "ЖАБА" gives "ZHABA" rather than "ZhABA".
void append_cased(std::string& out, const char* latin, bool upper, bool all_caps) {
    for (std::size_t k = 0; latin[k] != '\0'; ++k) {
        const bool cap = upper && (k == 0 || all_caps);
        out += cap ? ascii_upper(latin[k]) : latin[k];
    }
}

}  // namespace

std::string transliterate_bg(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    UChar32 prev = -1;
    std::size_t pos = 0;
    std::size_t bulgaria_end = 0;
    while (pos < utf8.size()) {
        const code_point cur = next_code_point(utf8, pos);
        const UChar32 next = cur.end < utf8.size() ? next_code_point(utf8, cur.end).value : -1;
        if (!is_letter(prev) && pos >= bulgaria_end) bulgaria_end = bulgaria_word_end(utf8, pos);
        const char* latin = latin_for(cur.value);
        if (latin == nullptr) {
            out.append(utf8.substr(cur.begin, cur.end - cur.begin));
        } else {
            // Word-final "ия" -> "ia" (София -> Sofia).
            if (is_ya(cur.value) && is_i(prev) && !is_letter(next)) latin = "a";
            if (is_hard_sign(cur.value) && pos < bulgaria_end) latin = "u";
            const bool upper = is_upper_cyrillic(cur.value);
            const bool all_caps = is_upper_cyrillic(next) ||
                                  (!is_letter(next) && is_upper_cyrillic(prev));
            append_cased(out, latin, upper, all_caps);
        }
        prev = cur.value;
        pos = cur.end;
    }
    return out;
}

std::string slugify(std::string_view title, std::size_t max_len) {
    const std::string latin = transliterate_bg(title);
    std::string slug;
    bool pending_dash = false;
    for (char ch : latin) {
        char c = ch;
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!keep) {
            // Any other byte (including leftover non-ASCII) separates words.
            pending_dash = true;
            continue;
        }
        if (pending_dash && !slug.empty()) slug += '-';
        pending_dash = false;
        slug += c;
    }
    if (slug.size() > max_len) {
        // Prefer cutting at a word boundary; otherwise cut mid-word.
        const std::size_t dash = slug.rfind('-', max_len);
        slug.resize(dash != std::string::npos && dash > 0 ? dash : max_len);
        while (!slug.empty() && slug.back() == '-') slug.pop_back();
    }
    return slug.empty() ? "event" : slug;
}

}  // namespace sabor::util
