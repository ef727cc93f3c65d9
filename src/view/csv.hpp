// Cells of CSV files people open in a spreadsheet (attendee and contact exports).
#pragma once
#include <string>
#include <string_view>

namespace sabor::view {

// True when a spreadsheet would take the cell for a formula: it begins with = or @ (or a
// tab / CR), or with + or - followed by more than a number or telephone number.
bool runs_as_formula(std::string_view value);
// One CSV cell: neutralised with a leading ' when runs_as_formula, quoted when needed.
std::string csv_cell(std::string_view value, char sep = ',');

}  // namespace sabor::view
