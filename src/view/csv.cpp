#include "view/csv.hpp"

namespace sabor::view {

bool runs_as_formula(std::string_view v) {
    if (v.empty()) return false;
    char c = v[0];
    if (c == '=' || c == '@' || c == '\t' || c == '\r') return true;
    if (c != '+' && c != '-') return false;
    // A sign followed only by digits, spaces and a phone number's ( ) . / - is a number or a
    // telephone ("+359 888 123 456"): no function, no reference, nothing a spreadsheet runs.
    return v.substr(1).find_first_not_of("0123456789 ()./-") != std::string_view::npos;
}

std::string csv_cell(std::string_view value, char sep) {
    std::string v(value);
    if (runs_as_formula(v)) v.insert(0, "'");
    bool quote = v.find_first_of("\"\r\n,;\t") != std::string::npos || v.find(sep) != std::string::npos;
    if (!quote) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace sabor::view
