#include "registration/exports.hpp"

#include "view/csv.hpp"

#include "registration/reporting.hpp"
#include "view/i18n.hpp"

#include <unicode/coll.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <unicode/locid.h>

#include <boost/json.hpp>

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

namespace {
const char* const export_columns[] = {"label_number", "label_full_name", "label_email", "label_organisation",
                                      "label_position", "label_organisation_type", "label_town", "label_phone",
                                      "label_status", "label_registered_at", "label_checked_in_at"};

// Header and rows, the same for both formats.
std::vector<std::vector<std::string>> export_table(const std::vector<registration>& list, const view::i18n& texts,
                                                   const std::string& lang, const std::vector<question>& questions,
                                                   const std::string& tz) {
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header;
    for (const char* c : export_columns) header.push_back(texts.text(lang, c));
    for (const auto& q : questions) header.push_back(q.label);
    table.push_back(std::move(header));
    int n = 0;
    for (const auto& r : list) {
        std::string type = r.organisation_type.empty() ? "" : texts.text(lang, "orgtype_" + r.organisation_type);
        std::vector<std::string> row{std::to_string(++n), r.name,     r.email, r.organisation, r.position, type, r.town,
                                     r.phone, texts.text(lang, "regstatus_" + std::string(to_string(r.status))),
                                     local_stamp(r.created_at, tz), local_stamp(r.checked_in_at, tz)};
        if (!questions.empty()) {
            boost::json::error_code ec;
            auto parsed = boost::json::parse(r.answers, ec);
            boost::json::object none;
            const auto& answers = !ec && parsed.is_object() ? parsed.as_object() : none;
            for (const auto& q : questions) row.push_back(answer_text(q, answers, lang));
        }
        table.push_back(std::move(row));
    }
    return table;
}
}  // namespace

std::string to_xlsx(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang,
                    const std::vector<question>& questions, const std::string& tz) {
    auto table = export_table(list, texts, lang, questions, tz);
    // libxlsxwriter writes files: a private temporary one, read back and removed.
    auto dir = std::filesystem::temp_directory_path();
    auto path = dir / ("sabor-export-" + std::to_string(::getpid()) + "-" +
                       std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())) + ".xlsx");
    lxw_workbook* wb = workbook_new(path.c_str());
    if (!wb) throw std::runtime_error("cannot create the workbook");
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    lxw_format* bold = workbook_add_format(wb);
    format_set_bold(bold);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_set_column(ws, 1, 4, 28, nullptr);
    lxw_row_t row = 0;
    for (const auto& cells : table) {
        lxw_col_t col = 0;
        for (const auto& cell : cells) {
            if (!cell.empty()) worksheet_write_string(ws, row, col, cell.c_str(), row == 0 ? bold : nullptr);
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

std::string to_csv(const std::vector<registration>& list, const view::i18n& texts, const std::string& lang,
                   const std::vector<question>& questions, const std::string& tz, char sep) {
    std::string out = "\xEF\xBB\xBF";  // BOM
    for (const auto& cells : export_table(list, texts, lang, questions, tz)) {
        bool first = true;
        for (const auto& c : cells) {
            if (!first) out += sep;
            out += view::csv_cell(c, sep);
            first = false;
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace sabor::registration
