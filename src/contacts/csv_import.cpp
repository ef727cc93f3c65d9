#include "contacts/csv_import.hpp"

#include "accounts/repository.hpp"
#include "contacts/xlsx_reader.hpp"
#include "mail/message.hpp"
#include "util/utf8.hpp"

#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>

namespace sabor::contacts {

namespace {

[[noreturn]] void refuse(import_refusal why, const std::string& detail) { throw import_error(why, detail); }

// ---- Encodings ----------------------------------------------------------------------------

// NUL never occurs in a text file but fills UTF-16 without a BOM and binaries; other C0
// controls are rare in text and every other byte of Cyrillic UTF-16 (0x04).
bool looks_like_text(std::string_view s) {
    std::size_t controls = 0;
    for (unsigned char c : s) {
        if (c == 0) return false;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) ++controls;
    }
    return controls * 16 <= s.size();
}

bool ascii_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// А..я, Ё, ё in Windows-1251.
bool cyrillic_1251(unsigned char c) { return c >= 0xC0 || c == 0xA8 || c == 0xB8; }

// What Bulgarian office text has besides letters: „ … € ‘ ’ “ ” • – — NBSP § « ° № ».
bool punctuation_1251(unsigned char c) {
    switch (c) {
    case 0x84: case 0x85: case 0x88: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95:
    case 0x96: case 0x97: case 0xA0: case 0xA7: case 0xAB: case 0xB0: case 0xB9: case 0xBB:
        return true;
    default:
        return false;
    }
}

// Any byte is valid Windows-1251, so decoding proves nothing; the bytes must look like Bulgarian.
// Nearly every high byte must be a Cyrillic letter or common punctuation, and the Cyrillic
// letters must stand in words of their own: Latin-1 (é, ü = 0xE9, 0xFC, also "Cyrillic" here)
// sits inside Latin words ("café", "Müller"), Bulgarian does not. A Latin-only list whose only
// high bytes are „ “ – « » and the like passes too: those are the same bytes in Windows-1252.
bool looks_bulgarian_1251(std::string_view s) {
    std::size_t high = 0, fitting = 0, letters = 0, touching = 0, ascii_letters = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (ascii_letter(c)) ++ascii_letters;
        if (c < 0x80) continue;
        ++high;
        if (cyrillic_1251(c)) {
            ++fitting;
            ++letters;
            const bool before = i > 0 && ascii_letter(static_cast<unsigned char>(s[i - 1]));
            const bool after = i + 1 < s.size() && ascii_letter(static_cast<unsigned char>(s[i + 1]));
            if (before || after) ++touching;
        } else if (punctuation_1251(c)) {
            ++fitting;
        }
    }
    return letters + ascii_letters > 0 && fitting * 10 >= high * 9 && touching * 5 <= letters;
}

std::optional<std::string> convert(std::string_view bytes, const char* charset) {
    if (bytes.size() > INT32_MAX) return std::nullopt;
    icu::UnicodeString u(bytes.data(), static_cast<int32_t>(bytes.size()), charset);
    if (u.isBogus()) return std::nullopt;
    std::string out;
    u.toUTF8String(out);
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// ---- Text clean-up ------------------------------------------------------------------------

bool space_at(std::string_view s, std::size_t i, std::size_t* width) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        *width = 1;
        return true;
    }
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {  // NBSP from Excel
        *width = 2;
        return true;
    }
    return false;
}

// Trimmed, every run of white space (Excel's Alt+Enter line breaks and NBSP included) one space.
std::string collapse_spaces(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool pending = false;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t w = 0;
        if (space_at(s, i, &w)) {
            pending = !out.empty();
            i += w;
            continue;
        }
        if (pending) out += ' ';
        pending = false;
        out += s[i++];
    }
    return out;
}

std::string_view trim(std::string_view s) {
    std::size_t w = 0;
    while (!s.empty() && space_at(s, 0, &w)) s.remove_prefix(w);
    while (!s.empty()) {
        if (space_at(s, s.size() - 1, &w)) {
            s.remove_suffix(1);
        } else if (s.size() >= 2 && space_at(s, s.size() - 2, &w) && w == 2) {
            s.remove_suffix(2);
        } else {
            break;
        }
    }
    return s;
}

// C1 controls (U+0080..U+009F) and the Unicode line and paragraph separators, which
// util::has_control_chars (C0 and DEL) does not cover.
bool has_unicode_controls(std::string_view s) {
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const auto a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
        if (a == 0xC2 && b >= 0x80 && b <= 0x9F) return true;
        if (a == 0xE2 && b == 0x80 && i + 2 < s.size() &&
            (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9))
            return true;
    }
    return false;
}

bool unsafe_text(std::string_view s, bool allow_line_breaks) {
    return util::has_control_chars(s, allow_line_breaks) || has_unicode_controls(s);
}

// A value fit to show back in the report: control characters as U+FFFD, at most 80 characters.
std::string shown(std::string_view s) {
    constexpr std::size_t max_chars = 80;
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        len = std::min(len, s.size() - i);
        const auto cp = s.substr(i, len);
        if (++chars > max_chars) {
            out += "…";
            break;
        }
        if (unsafe_text(cp, false))
            out += "\xEF\xBF\xBD";
        else
            out += cp;
        i += len;
    }
    return out;
}

std::string lower_key(std::string_view s) {
    std::string lower = util::to_lower_utf8(s);
    for (char& ch : lower)
        if (ch == '_') ch = ' ';
    return collapse_spaces(lower);
}

// ---- CSV ----------------------------------------------------------------------------------

struct record {
    std::size_t line = 0;
    std::vector<std::string> cells;
};

bool blank(const record& r) {
    for (const auto& c : r.cells)
        if (!trim(c).empty()) return false;
    return true;
}

constexpr std::size_t max_cells_per_record = 16'384;  // as many columns as Excel has

// Excel writes "sep=;" as a first line when asked to; it names the separator outright.
std::optional<char> sep_line(std::string_view text, std::size_t* skip) {
    if (text.size() < 5 || lower_key(text.substr(0, 4)) != "sep=") return std::nullopt;
    const char d = text[4];
    if (d == '"' || d == '\r' || d == '\n') return std::nullopt;
    std::size_t end = 5;
    if (end < text.size() && text[end] == '\r') ++end;
    if (end < text.size() && text[end] == '\n') ++end;
    if (end == 5 && text.size() > 5) return std::nullopt;  // more on that line: data, not a hint
    *skip = end;
    return d;
}

// The separator is the one used most on the first line that has any (outside quotes); on a
// tie ';' wins (Bulgarian Excel), then ','. A single-column file gets ','.
char detect_delimiter(std::string_view text) {
    std::array<std::size_t, 3> counts{};  // ; , tab
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            quoted = !quoted;  // "" inside quotes toggles twice: no harm
        } else if (!quoted && (c == '\n' || c == '\r')) {
            if (counts[0] + counts[1] + counts[2] > 0) break;
        } else if (!quoted) {
            if (c == ';') ++counts[0];
            if (c == ',') ++counts[1];
            if (c == '\t') ++counts[2];
        }
    }
    if (counts[0] == 0 && counts[1] == 0 && counts[2] == 0) return ',';
    if (counts[0] >= counts[1] && counts[0] >= counts[2]) return ';';
    if (counts[1] >= counts[2]) return ',';
    return '\t';
}

// RFC 4180 with Excel's leniency: CRLF, LF or a lone CR end a record; a quote inside an
// unquoted field, or text after a closing quote, is kept literally. Blank records are dropped
// at once so a file of empty lines costs no memory.
std::vector<record> split_csv(std::string_view text, char delim, std::size_t first_line) {
    std::vector<record> out;
    std::size_t line = first_line, quote_line = 0;
    record cur{line, {}};
    std::string field;
    bool quoted = false, after_quote = false;

    auto end_field = [&] {
        if (cur.cells.size() >= max_cells_per_record) refuse(import_refusal::too_large, "too many columns");
        cur.cells.push_back(std::move(field));
        field.clear();
        after_quote = false;
    };
    auto end_record = [&] {
        end_field();
        if (!blank(cur)) {
            if (out.size() > max_import_rows + 10) refuse(import_refusal::too_large, "too many rows");
            out.push_back(std::move(cur));
        }
        cur = record{line, {}};
    };

    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        const bool crlf = c == '\r' && i + 1 < n && text[i + 1] == '\n';
        if (quoted) {
            if (c == '"' && i + 1 < n && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
                after_quote = true;
            } else {
                if (c == '\n' || (c == '\r' && !crlf)) ++line;
                field += c;
            }
        } else if (c == delim) {
            end_field();
        } else if (c == '\r' || c == '\n') {
            if (crlf) ++i;
            ++line;
            end_record();
        } else if (c == '"' && field.empty() && !after_quote) {
            quoted = true;
            quote_line = line;
        } else {
            field += c;
        }
    }
    if (quoted) {
        import_error e(import_refusal::broken_quoting,
                       "a quote opened on line " + std::to_string(quote_line) + " is never closed");
        e.line = quote_line;
        throw e;
    }
    if (!field.empty() || !cur.cells.empty() || after_quote) end_record();
    return out;
}

// ---- Columns ------------------------------------------------------------------------------

// f_name is the whole name; f_first, f_middle and f_last its parts, joined in Bulgarian order
// (Име Презиме Фамилия) when a sheet has them in separate columns.
enum field : std::size_t {
    f_name, f_email, f_organisation, f_position, f_tags, f_type, f_town, f_phone, f_first, f_middle, f_last, field_count
};

// Header texts as lower_key() leaves them: lower case, '_' as space, single spaces.
struct alias {
    std::string_view text;
    field f;
};
constexpr alias aliases[] = {
    {"name", f_name}, {"full name", f_name}, {"име", f_name}, {"име и фамилия", f_name}, {"имена", f_name},
    {"пълно име", f_name}, {"трите имена", f_name},
    {"first name", f_first}, {"given name", f_first}, {"forename", f_first}, {"собствено име", f_first},
    {"лично име", f_first},
    {"middle name", f_middle}, {"презиме", f_middle}, {"бащино име", f_middle},
    {"last name", f_last}, {"surname", f_last}, {"family name", f_last}, {"фамилия", f_last},
    {"фамилно име", f_last},
    {"email", f_email}, {"e-mail", f_email}, {"e mail", f_email}, {"email address", f_email},
    {"e-mail address", f_email}, {"mail", f_email}, {"имейл", f_email}, {"имейл адрес", f_email},
    {"и-мейл", f_email}, {"е-мейл", f_email}, {"електронна поща", f_email}, {"ел. поща", f_email},
    {"organisation", f_organisation}, {"organization", f_organisation}, {"организация", f_organisation},
    {"position", f_position}, {"job title", f_position}, {"длъжност", f_position},
    {"tags", f_tags}, {"tag", f_tags}, {"етикети", f_tags}, {"етикет", f_tags},
    {"organisation type", f_type}, {"organization type", f_type}, {"тип на организацията", f_type},
    {"тип организация", f_type}, {"вид организация", f_type}, {"вид на организацията", f_type},
    {"town", f_town}, {"city", f_town}, {"град", f_town}, {"населено място", f_town}, {"община", f_town},
    {"phone", f_phone}, {"telephone", f_phone}, {"phone number", f_phone}, {"телефон", f_phone},
    {"тел.", f_phone}, {"тел", f_phone}, {"gsm", f_phone},
};

std::optional<field> field_of(std::string_view header) {
    std::string key = lower_key(header);
    // "Име*" or "Имейл:" as forms mark them.
    while (!key.empty() && (key.back() == '*' || key.back() == ':' || key.back() == ' ')) key.pop_back();
    for (const auto& a : aliases)
        if (a.text == key) return a.f;
    return std::nullopt;
}

struct column_map {
    std::array<std::vector<std::size_t>, field_count> columns;  // several "town" columns: first non-empty wins
    std::vector<std::string> unknown;
};

// "Име" or "Name" next to a surname or middle-name column is the first name, not the whole name
// ("Име;Фамилия" is the usual Bulgarian sheet); a column that says it holds the whole name
// ("Име и фамилия", "Full name") stays whole.
bool plain_name_header(std::string_view header) {
    std::string key = lower_key(header);
    while (!key.empty() && (key.back() == '*' || key.back() == ':' || key.back() == ' ')) key.pop_back();
    return key == "име" || key == "name";
}

void split_name_columns(column_map& m, const std::vector<std::string>& headers) {
    if (m.columns[f_middle].empty() && m.columns[f_last].empty()) return;
    auto& whole = m.columns[f_name];
    for (auto it = whole.begin(); it != whole.end();) {
        if (plain_name_header(headers[*it])) {
            m.columns[f_first].push_back(*it);
            it = whole.erase(it);
        } else {
            ++it;
        }
    }
}

bool has_address(const record& r) {
    for (const auto& c : r.cells)
        if (c.find('@') != std::string::npos) return true;
    return false;
}

// The header is the first row with a known column among the first ten, so a title row above
// it ("Участници в срещата") does no harm. A row with an address in it is data, whatever else
// it holds (a town called "Община" is not a header).
std::size_t find_header(const std::vector<record>& records, column_map& map) {
    constexpr std::size_t search = 10;
    for (std::size_t r = 0; r < records.size() && r < search; ++r) {
        if (has_address(records[r])) continue;
        column_map m;
        bool any = false;
        std::set<std::string> seen_unknown;
        std::vector<std::string> headers(records[r].cells.size());
        for (std::size_t c = 0; c < records[r].cells.size(); ++c) {
            const std::string text = collapse_spaces(records[r].cells[c]);
            headers[c] = text;
            if (text.empty()) continue;  // Excel's trailing empty columns
            if (auto f = field_of(text)) {
                m.columns[*f].push_back(c);
                any = true;
            } else if (seen_unknown.insert(text).second) {
                m.unknown.push_back(text);
            }
        }
        if (any) {
            split_name_columns(m, headers);
            map = std::move(m);
            return r;
        }
    }
    refuse(import_refusal::no_header, "no row with known column names at the top");
}

std::string_view cell(const record& r, const std::vector<std::size_t>& columns) {
    for (auto c : columns)
        if (c < r.cells.size() && !trim(r.cells[c]).empty()) return trim(r.cells[c]);
    return {};
}

std::vector<std::string> split_tags(std::string_view s) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find_first_of(";,|", start);
        if (end == std::string_view::npos) end = s.size();
        std::string tag = collapse_spaces(s.substr(start, end - start));
        if (!tag.empty() && seen.insert(util::to_lower_utf8(tag)).second) out.push_back(std::move(tag));
        start = end + 1;
    }
    return out;
}

void unite_tags(std::vector<std::string>& into, const std::vector<std::string>& more) {
    std::set<std::string> seen;
    for (const auto& t : into) seen.insert(util::to_lower_utf8(t));
    for (const auto& t : more)
        if (seen.insert(util::to_lower_utf8(t)).second) into.push_back(t);
}

bool has_word(std::string_view text, std::string_view word) {
    for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
        const bool starts = at == 0 || text[at - 1] == ' ';
        const bool ends = at + word.size() == text.size() || text[at + word.size()] == ' ';
        if (starts && ends) return true;
    }
    return false;
}

// Име Презиме Фамилия, the empty ones left out. A first-name cell that already holds several
// words ("Иван Петров" above "Петров") is not given the same surname or middle name twice.
std::string joined_name(const std::string& first, const std::string& middle, const std::string& last) {
    const bool whole = first.find(' ') != std::string::npos;
    std::string out = first;
    for (const auto* part : {&middle, &last}) {
        if (part->empty() || (whole && has_word(first, *part))) continue;
        if (!out.empty()) out += ' ';
        out += *part;
    }
    return out;
}

// One data row: a contact, or the reason it is skipped.
std::optional<skipped_row> read_row(const record& r, const column_map& map, contact_row& out) {
    std::array<std::string_view, field_count> raw;
    for (std::size_t f = 0; f < field_count; ++f) raw[f] = cell(r, map.columns[f]);

    // A line break in a name or address could end up in a mail header; elsewhere it is Excel's
    // Alt+Enter and becomes a space.
    for (std::size_t f = 0; f < field_count; ++f)
        if (unsafe_text(raw[f], f != f_name && f != f_email))
            return skipped_row{r.line, skip_reason::control_chars, shown(raw[f])};

    std::array<std::string, field_count> v;
    for (std::size_t f = 0; f < field_count; ++f) v[f] = collapse_spaces(raw[f]);
    if (v[f_name].empty()) v[f_name] = joined_name(v[f_first], v[f_middle], v[f_last]);

    for (std::size_t f = 0; f < field_count; ++f) {
        const std::size_t limit = f == f_email ? 254 : 200;
        if (util::utf8_length(v[f]) > limit) return skipped_row{r.line, skip_reason::too_long, shown(v[f])};
    }
    if (v[f_name].empty()) return skipped_row{r.line, skip_reason::missing_name, shown(v[f_email])};
    if (v[f_email].empty()) return skipped_row{r.line, skip_reason::missing_email, shown(v[f_name])};

    std::string_view address = v[f_email];
    if (lower_key(address.substr(0, 7)) == "mailto:") address.remove_prefix(7);  // a copied link
    std::string email = accounts::normalise_email(address);
    if (!accounts::plausible_email(email) || !mail::safe_address(email))
        return skipped_row{r.line, skip_reason::bad_email, shown(v[f_email])};

    auto type = organisation_type_code(v[f_type]);
    if (!type) return skipped_row{r.line, skip_reason::bad_organisation_type, shown(v[f_type])};

    out = contact_row{};
    out.line = r.line;
    out.name = std::move(v[f_name]);
    out.email = std::move(email);
    out.organisation = std::move(v[f_organisation]);
    out.position = std::move(v[f_position]);
    out.organisation_type = std::move(*type);
    out.town = std::move(v[f_town]);
    out.phone = std::move(v[f_phone]);
    out.tags = split_tags(v[f_tags]);
    return std::nullopt;
}

void fill_gap(std::string& into, std::string& from) {
    if (into.empty()) into = std::move(from);
}

// Header mapping, checks and merging, the same for CSV and XLSX.
void import_records(const std::vector<record>& records, import_result& result) {
    if (records.empty()) refuse(import_refusal::empty, "no rows");
    column_map map;
    const std::size_t header = find_header(records, map);
    result.unknown_columns = map.unknown;

    std::vector<std::string> missing;
    if (map.columns[f_name].empty() && map.columns[f_first].empty() && map.columns[f_last].empty())
        missing.emplace_back("name");
    if (map.columns[f_email].empty()) missing.emplace_back("email");
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        import_error e(import_refusal::missing_columns, "missing columns: " + list);
        e.missing = std::move(missing);
        throw e;
    }

    // Columns with data but no header are ignored too, and said so (by their number).
    std::vector<bool> seen_column;
    for (std::size_t i = header + 1; i < records.size(); ++i)
        for (std::size_t c = 0; c < records[i].cells.size(); ++c) {
            if (trim(records[i].cells[c]).empty()) continue;
            if (c < records[header].cells.size() && !trim(records[header].cells[c]).empty()) continue;
            if (c >= seen_column.size()) seen_column.resize(c + 1, false);
            if (!seen_column[c]) result.unnamed_columns.push_back(c + 1);
            seen_column[c] = true;
        }
    std::sort(result.unnamed_columns.begin(), result.unnamed_columns.end());

    const std::size_t data_rows = records.size() - header - 1;
    if (data_rows == 0) refuse(import_refusal::empty, "a header and no contacts");
    if (data_rows > max_import_rows) refuse(import_refusal::too_large, "more than 100000 rows");

    std::map<std::string, std::size_t> by_email;
    for (std::size_t i = header + 1; i < records.size(); ++i) {
        contact_row row;
        if (auto skip = read_row(records[i], map, row)) {
            result.skipped.push_back(std::move(*skip));
            continue;
        }
        auto [it, fresh] = by_email.emplace(row.email, result.rows.size());
        if (fresh) {
            result.rows.push_back(std::move(row));
            continue;
        }
        auto& first = result.rows[it->second];
        fill_gap(first.name, row.name);
        fill_gap(first.organisation, row.organisation);
        fill_gap(first.position, row.position);
        fill_gap(first.organisation_type, row.organisation_type);
        fill_gap(first.town, row.town);
        fill_gap(first.phone, row.phone);
        unite_tags(first.tags, row.tags);
        ++result.merged;
    }
}

}  // namespace

std::optional<std::string> decode_to_utf8(std::string_view bytes, std::string* encoding) {
    auto found = [&](const char* name, std::string text) -> std::optional<std::string> {
        if (encoding) *encoding = name;
        return text;
    };
    if (starts_with(bytes, "\xEF\xBB\xBF")) {
        bytes.remove_prefix(3);
        if (!util::valid_utf8(bytes) || !looks_like_text(bytes)) return std::nullopt;
        return found("utf-8", std::string(bytes));
    }
    // Excel's "Unicode text" is UTF-16 LE with a BOM (and tabs between the cells).
    const bool le = starts_with(bytes, "\xFF\xFE"), be = starts_with(bytes, "\xFE\xFF");
    if (le || be) {
        auto text = convert(bytes.substr(2), le ? "UTF-16LE" : "UTF-16BE");
        if (!text || !looks_like_text(*text)) return std::nullopt;
        return found(le ? "utf-16le" : "utf-16be", std::move(*text));
    }
    if (!looks_like_text(bytes)) return std::nullopt;
    if (util::valid_utf8(bytes)) return found("utf-8", std::string(bytes));
    if (!looks_bulgarian_1251(bytes)) return std::nullopt;
    auto text = convert(bytes, "windows-1251");
    if (!text) return std::nullopt;
    return found("windows-1251", std::move(*text));
}

std::optional<std::string> organisation_type_code(std::string_view cell_text) {
    struct label {
        std::string_view text, code;
    };
    // Codes appear here with '_' as space, the way lower_key() leaves them.
    static constexpr label labels[] = {
        {"municipality", "municipality"},
        {"regional administration", "regional_administration"},
        {"state institution", "state_institution"},
        {"ngo", "ngo"},
        {"school or university", "school_or_university"},
        {"business", "business"},
        {"other", "other"},
        {"община", "municipality"},
        {"областна администрация", "regional_administration"},
        {"държавна институция", "state_institution"},
        {"нпо", "ngo"},
        {"неправителствена организация", "ngo"},
        {"училище или университет", "school_or_university"},
        {"училище", "school_or_university"},
        {"университет", "school_or_university"},
        {"бизнес", "business"},
        {"фирма", "business"},
        {"друго", "other"},
    };
    const std::string key = lower_key(cell_text);
    if (key.empty()) return std::string{};
    for (const auto& l : labels)
        if (l.text == key) return std::string(l.code);
    return std::nullopt;
}

import_result parse_csv(std::string_view bytes) {
    if (bytes.size() > max_import_bytes) refuse(import_refusal::too_large, "the file is over 64 MiB");
    if (bytes.empty()) refuse(import_refusal::empty, "the file is empty");

    import_result result;
    auto text = decode_to_utf8(bytes, &result.encoding);
    if (!text) refuse(import_refusal::encoding, "neither UTF-8, UTF-16 with a BOM nor Bulgarian Windows-1251");

    std::string_view body = *text;
    std::size_t skip = 0, first_line = 1;
    if (auto d = sep_line(body, &skip)) {
        result.delimiter = *d;
        body.remove_prefix(skip);
        first_line = 2;
    } else {
        result.delimiter = detect_delimiter(body);
    }
    import_records(split_csv(body, result.delimiter, first_line), result);
    return result;
}

import_result parse_xlsx(std::string_view bytes) {
    if (bytes.size() > max_import_bytes) refuse(import_refusal::too_large, "the file is over 64 MiB");
    if (bytes.empty()) refuse(import_refusal::empty, "the file is empty");

    std::vector<sheet_row> rows;
    try {
        xlsx_limits limits;
        limits.max_rows = max_import_rows + 10;  // the header and a title or two above it
        rows = read_first_sheet(bytes, limits);
    } catch (const xlsx_error& e) {
        throw import_error(e.reason, e.what());
    }
    std::vector<record> records;
    records.reserve(rows.size());
    for (auto& r : rows) {
        record rec{r.number, std::move(r.cells)};
        if (!blank(rec)) records.push_back(std::move(rec));
    }
    import_result result;
    result.encoding = "xlsx";
    import_records(records, result);
    return result;
}

}  // namespace sabor::contacts
