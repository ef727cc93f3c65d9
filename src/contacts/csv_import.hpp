// Contact lists from organisers' spreadsheets: CSV as Excel saves it (UTF-8 with or without a
// BOM, UTF-16 "Unicode text", or Windows-1251; comma, semicolon or tab) and XLSX, with Bulgarian
// or English headers. Nothing here touches the database: the caller shows the result first.
#pragma once
#include "contacts/refusal.hpp"

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::contacts {

struct contact_row {
    std::size_t line = 0;  // 1-based line (CSV: the physical line where the record starts) or row number (XLSX)
    std::string name, email, organisation, position, organisation_type, town, phone;
    std::vector<std::string> tags;
};

// value is what the row had where `reason` points, cut to
// 80 characters with control characters shown as U+FFFD (for a missing name: the e-mail, for a
// missing e-mail: the name, so the row can be found).
struct skipped_row {
    std::size_t line;
    skip_reason reason;
    std::string value;
};

struct import_result {
    std::vector<contact_row> rows;  // valid, e-mails normalised (lower-case, trimmed); duplicates by
                                    // e-mail inside the file merged (first row's fields, later
                                    // non-empty fields fill gaps, tags united)
    std::vector<skipped_row> skipped;
    std::vector<std::string> unknown_columns;  // header texts as written, not imported
    std::vector<std::size_t> unnamed_columns;  // 1-based numbers of columns with data but no header (not imported)
    std::string encoding;                      // "utf-8", "utf-16le", "utf-16be", "windows-1251" or "xlsx"
    char delimiter = ',';                      // ',', ';', '\t' or what "sep=" names (',' for XLSX)
    std::size_t merged = 0;                    // rows merged into an earlier one with the same e-mail
};

// The whole file is refused for `reason`; what() is an English detail for the log.
struct import_error : std::runtime_error {
    import_error(import_refusal why, const std::string& detail) : std::runtime_error(detail), reason(why) {}
    import_refusal reason;
    std::vector<std::string> missing;  // missing_columns: "name" and/or "email"
    std::size_t line = 0;              // broken_quoting: where the open quote starts
};

inline constexpr std::size_t max_import_bytes = 64u * 1024 * 1024;  // the uploaded file, CSV or XLSX
inline constexpr std::size_t max_import_rows = 100'000;             // data rows, CSV and XLSX

import_result parse_csv(std::string_view bytes);
import_result parse_xlsx(std::string_view bytes);  // xlsx_reader, then the same mapping and checks

// Exposed for reuse and tests.

// UTF-8 (BOM stripped), UTF-16 with a BOM, or Windows-1251 that looks Bulgarian, as UTF-8;
// *encoding names what was found. nullopt: not text in an encoding we recognise.
std::optional<std::string> decode_to_utf8(std::string_view bytes, std::string* encoding);

// An organisation type cell (code, English or Bulgarian label, any case) as its code:
// municipality, regional_administration, state_institution, ngo, school_or_university,
// business, other. "" for an empty cell, nullopt when not recognised.
std::optional<std::string> organisation_type_code(std::string_view cell);

}  // namespace sabor::contacts
