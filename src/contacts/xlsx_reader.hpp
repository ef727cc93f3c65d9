// The first worksheet of an .xlsx workbook (Office Open XML, transitional or strict) as rows of
// text: libzip opens the archive from memory, expat reads the parts.
#pragma once
#include "contacts/refusal.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::contacts {

// A refused workbook: import_refusal::not_xlsx or too_large; what() is an English detail.
struct xlsx_error : std::runtime_error {
    xlsx_error(import_refusal why, const std::string& detail) : std::runtime_error(detail), reason(why) {}
    import_refusal reason;
};

struct sheet_row {
    std::size_t number = 0;          // the row's number in the sheet, 1-based
    std::vector<std::string> cells;  // column A first; skipped cells are empty strings
};

// Against zip and XML bombs. The defaults are generous for a contact list; tests lower them.
struct xlsx_limits {
    std::size_t max_entry_bytes = 64u * 1024 * 1024;  // uncompressed size of any part read
    std::size_t max_rows = 100'000;                   // rows that hold a value
    std::size_t max_cells = 4'000'000;                // cell slots kept, empty ones between included
    std::size_t max_text_bytes = 64u * 1024 * 1024;   // all values together (shared strings repeat)
    std::size_t max_shared_strings = 2'000'000;
};

// The first tab that is a worksheet (chart sheets are passed over). Shared and inline strings
// (rich text runs joined, phonetic runs left out, _xHHHH_ escapes decoded), numbers in their
// shortest form (whole numbers without ".0" or an exponent, so a phone typed as a number keeps
// its digits), booleans as TRUE/FALSE, formulas as their cached result. Rows without any value
// are left out. Throws xlsx_error.
std::vector<sheet_row> read_first_sheet(std::string_view xlsx, const xlsx_limits& limits = {});

}  // namespace sabor::contacts
