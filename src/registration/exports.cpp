#include "registration/exports.hpp"

#include "view/i18n.hpp"

#include <unicode/coll.h>
#include <unicode/locid.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace sabor::registration {

void sort_bulgarian(std::vector<registration>& list, bool by_organisation) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> coll(icu::Collator::createInstance(icu::Locale("bg", "BG"), status));
    if (U_FAILURE(status) || !coll) return;
    auto cmp = [&](const std::string& a, const std::string& b) {
        UErrorCode st = U_ZERO_ERROR;
        return coll->compareUTF8(a, b, st);
    };
    std::stable_sort(list.begin(), list.end(), [&](const registration& a, const registration& b) {
        if (by_organisation) {
            auto c = cmp(a.organisation, b.organisation);
            if (c != UCOL_EQUAL) return c == UCOL_LESS;
        }
        return cmp(a.name, b.name) == UCOL_LESS;
    });
}

std::string csv_cell(std::string_view value) {
    std::string v(value);
    // A leading = + - @ (or tab / CR) would make a spreadsheet treat the cell as a formula.
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        v.insert(0, "'");
    bool quote = v.find_first_of(",\"\r\n;") != std::string::npos;
    if (!quote) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string to_csv(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang) {
    std::string out = "\xEF\xBB\xBF";  // BOM
    const char* columns[] = {"label_number", "label_full_name", "label_email", "label_organisation", "label_position",
                             "label_organisation_type", "label_town", "label_phone", "label_status", "label_registered_at",
                             "label_checked_in_at"};
    bool first = true;
    for (const char* c : columns) {
        if (!first) out += ',';
        out += csv_cell(texts.text(lang, c));
        first = false;
    }
    out += "\r\n";
    int n = 0;
    for (const auto& r : list) {
        std::string type = r.organisation_type.empty() ? "" : texts.text(lang, "orgtype_" + r.organisation_type);
        std::string cells[] = {std::to_string(++n), r.name, r.email, r.organisation, r.position, type, r.town, r.phone,
                               texts.text(lang, "regstatus_" + r.status), r.created_at, r.checked_in_at};
        first = true;
        for (const auto& c : cells) {
            if (!first) out += ',';
            out += csv_cell(c);
            first = false;
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace sabor::registration
