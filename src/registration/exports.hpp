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

// UTF-8 CSV with a byte-order mark (so Excel shows Cyrillic), headers in `lang`, cells
// separated by `sep` (Bulgarian Excel expects ';', English ','), times as wall-clock time in
// `tz` (the event's zone), and cells a spreadsheet would run as a formula neutralised.
// The event's own questions follow the standard columns, one column each.
std::string to_csv(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang,
                   const std::vector<question>& questions = {}, const std::string& tz = "Europe/Sofia", char sep = ',');


// The same columns as a real Excel workbook (libxlsxwriter); cells are written as text,
// so nothing in them is ever taken for a formula. Throws std::runtime_error on failure.
std::string to_xlsx(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang,
                    const std::vector<question>& questions = {}, const std::string& tz = "Europe/Sofia");

}  // namespace sabor::registration
