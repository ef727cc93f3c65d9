// Names of uploaded files: what we keep of the name a browser sent, and the Content-Disposition
// we answer downloads with. The stored file itself never uses this name (see storage of materials).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::materials {

inline constexpr std::size_t max_filename_bytes = 200;

// What we keep of a given name:
//  - the last path part (after the last '/' or '\'; old browsers sent whole Windows paths);
//  - nullopt when it is not valid UTF-8: we do not guess the encoding, the caller uses a
//    default name instead;
//  - Unicode NFC (macOS sends decomposed letters, which would transliterate badly);
//  - whitespace of any kind (tab, CR, LF, no-break space...) becomes one space, runs of
//    spaces collapse; other control and format characters (NUL, C1, bidi overrides such as
//    U+202E, zero-width characters) are dropped;
//  - no leading dots or spaces, no trailing spaces;
//  - at most max_filename_bytes, cut at a code point boundary, keeping an extension
//    ('.' and 1 to 15 ASCII letters or digits);
//  - nullopt when nothing is left.
std::optional<std::string> clean_filename(std::string_view given);

// RFC 6266: `attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded`
// ("inline" when asked). The fallback is Bulgarian transliterated officially, typographic
// dashes, quotes and spaces made ASCII, and every other non-ASCII code point, control
// character and `"` `\` `;` `%` replaced by '_'. filename* is left out when the fallback is
// the name itself. Safe for any input (no CR/LF can reach the header); meant for names from
// clean_filename. An empty name gives just the disposition type.
std::string content_disposition(std::string_view filename, bool inline_ = false);

}  // namespace sabor::materials
