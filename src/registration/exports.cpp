#include "registration/exports.hpp"

#include "view/i18n.hpp"

#include <unicode/coll.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <unicode/locid.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <memory>
#include <mutex>

namespace sabor::registration {

void sort_bulgarian(std::vector<registration>& list, bool by_organisation) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> coll(icu::Collator::createInstance(icu::Locale("bg", "BG"), status));
    if (U_FAILURE(status) || !coll) return;
    coll->setAttribute(UCOL_NUMERIC_COLLATION, UCOL_ON, status);  // "Участник 2" before "Участник 10"
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

namespace {
const char* const export_columns[] = {"label_number", "label_full_name", "label_email", "label_organisation",
                                      "label_position", "label_organisation_type", "label_town", "label_phone",
                                      "label_status", "label_registered_at", "label_checked_in_at"};

std::vector<std::string> export_row(const registration& r, int n, const view::i18n& texts, const std::string& lang) {
    std::string type = r.organisation_type.empty() ? "" : texts.text(lang, "orgtype_" + r.organisation_type);
    return {std::to_string(n), r.name, r.email, r.organisation, r.position, type, r.town, r.phone,
            texts.text(lang, "regstatus_" + r.status), r.created_at, r.checked_in_at};
}
}  // namespace

std::string to_xlsx(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang) {
    // libxlsxwriter writes files: a private temporary one, read back and removed.
    auto dir = std::filesystem::temp_directory_path();
    auto path = dir / ("sabor-export-" + std::to_string(::getpid()) + "-" +
                       std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())) + ".xlsx");
    lxw_workbook* wb = workbook_new(path.c_str());
    if (!wb) throw std::runtime_error("cannot create the workbook");
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    lxw_format* bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_col_t col = 0;
    for (const char* c : export_columns) worksheet_write_string(ws, 0, col++, texts.text(lang, c).c_str(), bold);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_set_column(ws, 1, 4, 28, nullptr);
    lxw_row_t row = 1;
    int n = 0;
    for (const auto& r : list) {
        col = 0;
        for (const auto& cell : export_row(r, ++n, texts, lang)) {
            if (!cell.empty()) worksheet_write_string(ws, row, col, cell.c_str(), nullptr);
            ++col;
        }
        ++row;
    }
    lxw_error err = workbook_close(wb);
    std::string out;
    if (err == LXW_NO_ERROR) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        out = ss.str();
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (err != LXW_NO_ERROR) throw std::runtime_error(std::string("cannot write the workbook: ") + lxw_strerror(err));
    return out;
}

std::string to_csv(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang) {
    std::string out = "\xEF\xBB\xBF";  // BOM
    bool first = true;
    for (const char* c : export_columns) {
        if (!first) out += ',';
        out += csv_cell(texts.text(lang, c));
        first = false;
    }
    out += "\r\n";
    int n = 0;
    for (const auto& r : list) {
        first = true;
        for (const auto& c : export_row(r, ++n, texts, lang)) {
            if (!first) out += ',';
            out += csv_cell(c);
            first = false;
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace sabor::registration
