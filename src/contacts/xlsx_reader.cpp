#include "contacts/xlsx_reader.hpp"

#include <expat.h>
#include <zip.h>

#include <charconv>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <optional>

namespace sabor::contacts {

namespace {

constexpr std::size_t max_columns = 16'384;  // XFD, the last column Excel knows

[[noreturn]] void not_xlsx(const std::string& why) { throw xlsx_error(import_refusal::not_xlsx, why); }
[[noreturn]] void too_large(const std::string& why) { throw xlsx_error(import_refusal::too_large, why); }

// ---- XML ----------------------------------------------------------------------------------

// Elements and attributes are matched by local name: producers differ in prefixes ("x:row"),
// and strict OOXML uses other namespace URIs than the transitional one.
std::string_view local_name(const XML_Char* name) {
    std::string_view n(name);
    auto bar = n.rfind('|');
    return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

// An attribute by local name; `qualified` asks for one in a namespace (r:id), not a plain one.
std::optional<std::string_view> attribute(const XML_Char** attrs, std::string_view local, bool qualified = false) {
    for (std::size_t i = 0; attrs[i]; i += 2) {
        std::string_view n(attrs[i]);
        const bool has_ns = n.find('|') != std::string_view::npos;
        if (has_ns == qualified && local_name(attrs[i]) == local) return std::string_view(attrs[i + 1]);
    }
    return std::nullopt;
}

struct xml_handler {
    virtual ~xml_handler() = default;
    virtual void start(std::string_view name, const XML_Char** attrs) = 0;
    virtual void end(std::string_view name) = 0;
    virtual void text(std::string_view) {}
};

// Feeds one part to a handler. Exceptions from the handler must not unwind through expat's C
// frames, so they are parked, the parser stopped, and rethrown here.
class xml_parser {
public:
    explicit xml_parser(xml_handler& h) : handler_(h), p_(XML_ParserCreateNS(nullptr, '|')) {
        if (!p_) throw std::bad_alloc();
        XML_SetUserData(p_.get(), this);
        XML_SetElementHandler(p_.get(), on_start, on_end);
        XML_SetCharacterDataHandler(p_.get(), on_text);
        // OOXML parts never have a DTD; refusing one rules out entity expansion bombs.
        XML_SetStartDoctypeDeclHandler(p_.get(), on_doctype);
    }

    void feed(const char* data, std::size_t n, bool final) {
        if (XML_Parse(p_.get(), data, static_cast<int>(n), final ? XML_TRUE : XML_FALSE) == XML_STATUS_OK) return;
        if (error_) std::rethrow_exception(error_);
        if (doctype_) not_xlsx("a part has a DTD");
        not_xlsx(std::string("bad XML: ") + XML_ErrorString(XML_GetErrorCode(p_.get())));
    }

private:
    struct parser_free {
        void operator()(XML_Parser p) const { XML_ParserFree(p); }
    };

    template <typename F>
    static void guarded(void* self, F&& f) {
        auto* me = static_cast<xml_parser*>(self);
        if (me->error_) return;
        try {
            f(me->handler_);
        } catch (...) {
            me->error_ = std::current_exception();
            XML_StopParser(me->p_.get(), XML_FALSE);
        }
    }
    static void XMLCALL on_start(void* self, const XML_Char* name, const XML_Char** attrs) {
        guarded(self, [&](xml_handler& h) { h.start(local_name(name), attrs); });
    }
    static void XMLCALL on_end(void* self, const XML_Char* name) {
        guarded(self, [&](xml_handler& h) { h.end(local_name(name)); });
    }
    static void XMLCALL on_text(void* self, const XML_Char* s, int len) {
        guarded(self, [&](xml_handler& h) { h.text(std::string_view(s, static_cast<std::size_t>(len))); });
    }
    static void XMLCALL on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        auto* me = static_cast<xml_parser*>(self);
        me->doctype_ = true;
        XML_StopParser(me->p_.get(), XML_FALSE);
    }

    xml_handler& handler_;
    std::unique_ptr<std::remove_pointer_t<XML_Parser>, parser_free> p_;
    std::exception_ptr error_;
    bool doctype_ = false;
};

// ---- ZIP ----------------------------------------------------------------------------------

struct zip_discarder {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct zip_file_closer {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using zip_ptr = std::unique_ptr<zip_t, zip_discarder>;

zip_ptr open_archive(std::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!src) {
        zip_error_fini(&error);
        throw std::bad_alloc();
    }
    zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
    zip_error_fini(&error);
    if (!za) {
        zip_source_free(src);  // only on failure; an open archive owns its source
        not_xlsx("not a zip archive");
    }
    return zip_ptr(za);
}

// OPC part names are case-insensitive.
std::optional<zip_uint64_t> find_entry(zip_t* za, const std::string& name) {
    const zip_int64_t i = zip_name_locate(za, name.c_str(), ZIP_FL_NOCASE);
    if (i < 0) return std::nullopt;
    return static_cast<zip_uint64_t>(i);
}

// Streams one entry into the parser. The size in the directory is checked first, and the bytes
// really inflated are counted too, since the directory can lie.
void parse_entry(zip_t* za, zip_uint64_t index, xml_handler& h, const xlsx_limits& limits) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, index, 0, &st) != 0) not_xlsx("cannot read the zip directory");
    const std::string name = (st.valid & ZIP_STAT_NAME) ? st.name : "?";
    if ((st.valid & ZIP_STAT_SIZE) && st.size > limits.max_entry_bytes) too_large(name + " is too large");

    std::unique_ptr<zip_file_t, zip_file_closer> f(zip_fopen_index(za, index, 0));
    if (!f) not_xlsx("cannot open " + name);
    xml_parser parser(h);
    std::vector<char> buf(64 * 1024);  // not on the stack: request threads may have small ones
    std::size_t total = 0;
    for (;;) {
        const zip_int64_t n = zip_fread(f.get(), buf.data(), buf.size());
        if (n < 0) not_xlsx("cannot inflate " + name);
        if (n == 0) break;
        total += static_cast<std::size_t>(n);
        if (total > limits.max_entry_bytes) too_large(name + " is too large");
        parser.feed(buf.data(), static_cast<std::size_t>(n), false);
    }
    parser.feed(buf.data(), 0, true);
}

// ---- Part names ---------------------------------------------------------------------------

std::string directory_of(const std::string& part) {
    auto slash = part.rfind('/');
    return slash == std::string::npos ? std::string{} : part.substr(0, slash + 1);
}

// A relationship target relative to the source part's folder ("worksheets/sheet1.xml",
// "../xl/x.xml") or absolute ("/xl/worksheets/sheet1.xml"), as a zip entry name.
std::string resolve(const std::string& base_dir, std::string_view target) {
    std::string joined = !target.empty() && target.front() == '/' ? std::string(target.substr(1))
                                                                  : base_dir + std::string(target);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= joined.size()) {
        auto slash = joined.find('/', start);
        if (slash == std::string::npos) slash = joined.size();
        std::string seg = joined.substr(start, slash - start);
        if (seg == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(std::move(seg));
        }
        start = slash + 1;
    }
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += '/';
        out += p;
    }
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ---- Handlers -----------------------------------------------------------------------------

struct relationship {
    std::string type, target;
};

struct rels_handler : xml_handler {
    std::map<std::string, relationship> by_id;
    std::vector<relationship> in_order;

    void start(std::string_view name, const XML_Char** attrs) override {
        if (name != "Relationship") return;
        if (attribute(attrs, "TargetMode").value_or("") == "External") return;
        relationship r{std::string(attribute(attrs, "Type").value_or("")),
                       std::string(attribute(attrs, "Target").value_or(""))};
        by_id.emplace(std::string(attribute(attrs, "Id").value_or("")), r);
        in_order.push_back(std::move(r));
    }
    void end(std::string_view) override {}

    std::optional<std::string> target_of_type(std::string_view type_suffix) const {
        for (const auto& r : in_order)
            if (ends_with(r.type, type_suffix)) return r.target;
        return std::nullopt;
    }
};

struct workbook_handler : xml_handler {
    std::vector<std::string> sheet_rids;  // in the order of the tabs

    void start(std::string_view name, const XML_Char** attrs) override {
        if (name != "sheet") return;
        if (auto rid = attribute(attrs, "id", true)) sheet_rids.emplace_back(*rid);
    }
    void end(std::string_view) override {}
};

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Characters XML 1.0 cannot carry (a CR typed into a cell, other controls) are written as
// _xHHHH_ (ST_Xstring); a literal "_x" that looks like one is escaped as _x005F_x.... Decoded
// here, so a control character reaches the importer's checks as what it is.
std::string unescape_xstring(std::string s) {
    if (s.find("_x") == std::string::npos) return s;
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
            unsigned cp = 0;
            bool ok = true;
            for (std::size_t k = 2; k < 6 && ok; ++k) {
                const int h = hex(s[i + k]);
                ok = h >= 0;
                cp = cp * 16 + static_cast<unsigned>(h < 0 ? 0 : h);
            }
            if (ok) {
                append_utf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);  // a lone UTF-16 half
                i += 6;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

// <si> holds either one <t> or rich text runs <r><t>; <rPh> holds phonetic hints (furigana)
// that are not part of the value.
struct shared_strings_handler : xml_handler {
    explicit shared_strings_handler(const xlsx_limits& l) : limits(l) {}
    const xlsx_limits& limits;
    std::vector<std::string> strings;
    std::string current;
    bool in_si = false, in_t = false;
    int phonetic_depth = 0;

    void start(std::string_view name, const XML_Char**) override {
        if (name == "si") {
            in_si = true;
            current.clear();
        } else if (name == "rPh") {
            ++phonetic_depth;
        } else if (name == "t" && in_si && phonetic_depth == 0) {
            in_t = true;
        }
    }
    void end(std::string_view name) override {
        if (name == "t") {
            in_t = false;
        } else if (name == "rPh") {
            --phonetic_depth;
        } else if (name == "si") {
            in_si = false;
            if (strings.size() >= limits.max_shared_strings) too_large("too many shared strings");
            strings.push_back(unescape_xstring(std::move(current)));
            current.clear();
        }
    }
    void text(std::string_view s) override {
        if (in_t) current += s;
    }
};

// "C7" -> column 2 (0-based); nullopt when the reference has no letters.
std::optional<std::size_t> column_of(std::string_view ref) {
    std::size_t col = 0, letters = 0;
    for (char ch : ref) {
        const char up = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
        if (up < 'A' || up > 'Z') break;
        col = col * 26 + static_cast<std::size_t>(up - 'A' + 1);
        if (col > max_columns) not_xlsx("cell reference beyond column XFD");
        ++letters;
    }
    if (letters == 0) return std::nullopt;
    return col - 1;
}

std::optional<std::size_t> parse_count(std::string_view s) {
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// Whole numbers below 10^15 (all digits exact in a double) as plain digits; others in the
// shortest form that reads back the same. Text that is not a number is kept as it is.
std::string number_text(std::string_view v) {
    double d = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d)) return std::string(v);
    char buf[64];
    std::to_chars_result r;
    if (std::trunc(d) == d && std::fabs(d) < 1e15)
        r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d));
    else
        r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

struct sheet_handler : xml_handler {
    sheet_handler(const std::vector<std::string>& shared, const xlsx_limits& l) : shared_strings(shared), limits(l) {}
    const std::vector<std::string>& shared_strings;
    const xlsx_limits& limits;
    std::vector<sheet_row> rows;

    bool in_data = false, in_row = false, in_cell = false, in_inline = false, capture = false;
    int phonetic_depth = 0;
    std::size_t row_number = 0, next_column = 0, column = 0;
    std::size_t cells_total = 0, text_total = 0;
    std::string cell_type, value;
    sheet_row row;

    void start(std::string_view name, const XML_Char** attrs) override {
        if (name == "sheetData") {
            in_data = true;
        } else if (!in_data) {
            return;
        } else if (name == "row") {
            in_row = true;
            auto r = attribute(attrs, "r");
            auto n = r ? parse_count(*r) : std::nullopt;
            row_number = n && *n > 0 ? *n : row_number + 1;
            next_column = 0;
            row = sheet_row{row_number, {}};
        } else if (name == "c" && in_row) {
            in_cell = true;
            auto r = attribute(attrs, "r");
            auto c = r ? column_of(*r) : std::nullopt;
            column = c ? *c : next_column;
            if (column >= max_columns) not_xlsx("cell beyond column XFD");
            cell_type = std::string(attribute(attrs, "t").value_or("n"));
            value.clear();
        } else if (!in_cell) {
            return;
        } else if (name == "v") {
            capture = !in_inline;
        } else if (name == "is") {
            in_inline = true;
        } else if (name == "rPh") {
            ++phonetic_depth;
        } else if (name == "t" && in_inline && phonetic_depth == 0) {
            capture = true;
        }
    }

    void end(std::string_view name) override {
        if (!in_data) return;
        if (name == "v" || name == "t") {
            capture = false;
        } else if (name == "rPh") {
            --phonetic_depth;
        } else if (name == "is") {
            in_inline = false;
        } else if (name == "c" && in_cell) {
            in_cell = false;
            place(cell_text());
            next_column = column + 1;
        } else if (name == "row" && in_row) {
            in_row = false;
            finish_row();
        } else if (name == "sheetData") {
            in_data = false;
        }
    }

    void text(std::string_view s) override {
        if (capture) value += s;
    }

    std::string cell_text() {
        if (cell_type == "s") {
            if (value.empty()) return {};
            auto i = parse_count(value);
            if (!i || *i >= shared_strings.size()) not_xlsx("shared string index out of range");
            return shared_strings[*i];
        }
        if (cell_type == "b") return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value;
        if (cell_type == "n") return number_text(value);
        return unescape_xstring(std::move(value));  // inlineStr, str (formula), e (#N/A ...), d (ISO date)
    }

    void place(std::string text) {
        if (text.empty()) return;
        text_total += text.size();
        if (text_total > limits.max_text_bytes) too_large("too much text in the sheet");
        if (column >= row.cells.size()) {
            cells_total += column + 1 - row.cells.size();
            if (cells_total > limits.max_cells) too_large("too many cells");
            row.cells.resize(column + 1);
        }
        row.cells[column] = std::move(text);
    }

    void finish_row() {
        if (row.cells.empty()) return;  // formatted but empty
        if (rows.size() >= limits.max_rows) too_large("too many rows");
        rows.push_back(std::move(row));
        row = sheet_row{};
    }
};

}  // namespace

std::vector<sheet_row> read_first_sheet(std::string_view xlsx, const xlsx_limits& limits) {
    zip_ptr za = open_archive(xlsx);

    // _rels/.rels names the workbook part; xl/workbook.xml is what every producer uses.
    std::string workbook = "xl/workbook.xml";
    if (auto i = find_entry(za.get(), "_rels/.rels")) {
        rels_handler root;
        parse_entry(za.get(), *i, root, limits);
        if (auto t = root.target_of_type("/officeDocument")) workbook = resolve("", *t);
    }
    auto wb_index = find_entry(za.get(), workbook);
    if (!wb_index) not_xlsx("no workbook in the archive");
    workbook_handler wb;
    parse_entry(za.get(), *wb_index, wb, limits);

    const std::string wb_dir = directory_of(workbook);
    const std::string rels_name = wb_dir + "_rels/" + workbook.substr(wb_dir.size()) + ".rels";
    auto rels_index = find_entry(za.get(), rels_name);
    if (!rels_index) not_xlsx("no workbook relationships");
    rels_handler rels;
    parse_entry(za.get(), *rels_index, rels, limits);

    // The first tab that is a worksheet: a chart sheet or dialog sheet holds no cells.
    std::optional<zip_uint64_t> sheet_index;
    for (const auto& rid : wb.sheet_rids) {
        auto rel = rels.by_id.find(rid);
        if (rel == rels.by_id.end() || !ends_with(rel->second.type, "/worksheet")) continue;
        sheet_index = find_entry(za.get(), resolve(wb_dir, rel->second.target));
        if (!sheet_index) not_xlsx("the first worksheet is missing");
        break;
    }
    if (!sheet_index) not_xlsx("the workbook has no worksheet");

    shared_strings_handler sst(limits);
    auto sst_target = rels.target_of_type("/sharedStrings");
    auto sst_index = find_entry(za.get(), sst_target ? resolve(wb_dir, *sst_target) : wb_dir + "sharedStrings.xml");
    if (sst_index) parse_entry(za.get(), *sst_index, sst, limits);

    sheet_handler sheet(sst.strings, limits);
    parse_entry(za.get(), *sheet_index, sheet, limits);
    return std::move(sheet.rows);
}

}  // namespace sabor::contacts
