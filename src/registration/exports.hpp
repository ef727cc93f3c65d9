// Attendee lists for organisers: Bulgarian alphabetical order and the CSV export.
#pragma once
#include "registration/form.hpp"
#include "registration/model.hpp"

#include <string>
#include <vector>

namespace sabor::view {
class i18n;
}

namespace sabor::registration {

// Sorts by name (or by organisation, then name) in Bulgarian alphabetical order (ICU collation).
void sort_bulgarian(std::vector<registration>& list, bool by_organisation);

// UTF-8 CSV with a byte-order mark (so Excel shows Cyrillic), headers in `lang`, and cells
// that begin with = + - @ (or a tab/CR) neutralised so no spreadsheet runs them as formulas.
// The event's own questions follow the standard columns, one column each.
std::string to_csv(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang,
                   const std::vector<question>& questions = {});

std::string csv_cell(std::string_view value);

// The same columns as a real Excel workbook (libxlsxwriter); cells are written as text,
// so nothing in them is ever taken for a formula. Throws std::runtime_error on failure.
std::string to_xlsx(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang,
                    const std::vector<question>& questions = {});

}  // namespace sabor::registration
