#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sabor::util {

// Official Bulgarian transliteration (Закон за транслитерацията, 2009),
// including the rule that a word-final "ия" becomes "ia" and the statutory
// spelling of the country's name, "България" -> "Bulgaria".
// Non-Cyrillic characters are copied unchanged.
std::string transliterate_bg(std::string_view utf8);

// URL slug: transliterated, lowercase [a-z0-9] words joined by '-',
// at most `max_len` bytes. Never empty: falls back to "event".
std::string slugify(std::string_view title, std::size_t max_len = 80);

}  // namespace sabor::util
