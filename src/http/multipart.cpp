#include "http/multipart.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sabor::http {

namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// RFC 9110 token characters.
bool is_tchar(char c) { return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos; }

// RFC 2046 boundary characters.
bool is_bchar(char c) { return is_alnum(c) || std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos; }

// RFC 2046: 1 to 70 bchars, not ending in a space. The scan relies on it: no CR in a boundary.
bool valid_boundary(std::string_view b) {
    return !b.empty() && b.size() <= 70 && b.back() != ' ' && std::all_of(b.begin(), b.end(), is_bchar);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

struct header_value {
    std::string type;                                         // as written; callers compare case-insensitively
    std::vector<std::pair<std::string, std::string>> params;  // names lower-cased, values unquoted
};

// `type *( OWS ";" OWS name "=" ( token / quoted-string ) )`. Inside quotes a backslash escapes
// only '"' and '\': old browsers sent Windows paths unescaped ("C:\Users\..."), and keeping
// other backslashes lets clean_filename still see the path separators.
std::optional<header_value> parse_header_value(std::string_view v) {
    header_value out;
    std::size_t i = 0;
    const std::size_t n = v.size();
    auto skip_ows = [&] {
        while (i < n && is_ows(v[i])) ++i;
    };
    skip_ows();
    const std::size_t type_begin = i;
    while (i < n && v[i] != ';' && !is_ows(v[i])) ++i;
    out.type = v.substr(type_begin, i - type_begin);
    if (out.type.empty()) return std::nullopt;
    skip_ows();
    while (i < n) {
        if (v[i] != ';') return std::nullopt;
        ++i;
        skip_ows();
        if (i == n) break;  // a trailing ';' is harmless
        const std::size_t name_begin = i;
        while (i < n && is_tchar(v[i])) ++i;
        std::string name(v.substr(name_begin, i - name_begin));
        if (name.empty()) return std::nullopt;
        std::transform(name.begin(), name.end(), name.begin(), ascii_lower);
        skip_ows();
        if (i == n || v[i] != '=') return std::nullopt;
        ++i;
        skip_ows();
        std::string value;
        if (i < n && v[i] == '"') {
            ++i;
            for (;;) {
                if (i == n) return std::nullopt;  // unterminated
                const char c = v[i];
                if (c == '"') {
                    ++i;
                    break;
                }
                if (c == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\')) {
                    value += v[i + 1];
                    i += 2;
                    continue;
                }
                value += c;
                ++i;
            }
        } else {
            const std::size_t value_begin = i;
            while (i < n && v[i] != ';' && v[i] != '"' && !is_ows(v[i])) ++i;
            value = v.substr(value_begin, i - value_begin);
            if (value.empty()) return std::nullopt;
        }
        skip_ows();
        out.params.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    const char l = ascii_lower(c);
    if (l >= 'a' && l <= 'f') return l - 'a' + 10;
    return -1;
}

// RFC 5987 ext-value, UTF-8 only: `UTF-8'lang'percent-encoded`. Other charsets are ignored
// rather than guessed.
std::optional<std::string> decode_ext_value(std::string_view v) {
    const std::size_t q1 = v.find('\'');
    if (q1 == std::string_view::npos || !iequals(v.substr(0, q1), "utf-8")) return std::nullopt;
    const std::size_t q2 = v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) return std::nullopt;
    std::string out;
    for (std::size_t i = q2 + 1; i < v.size(); ++i) {
        if (v[i] != '%') {
            out += v[i];
            continue;
        }
        if (i + 2 >= v.size()) return std::nullopt;
        const int hi = hex_value(v[i + 1]);
        const int lo = hex_value(v[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

bool has_ctl(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t') || c == 0x7f;
    });
}

}  // namespace

std::string_view to_string(multipart_error e) {
    switch (e) {
        case multipart_error::none: return "none";
        case multipart_error::bad_preamble: return "no boundary at the start of the body";
        case multipart_error::bad_delimiter: return "malformed boundary line";
        case multipart_error::header_too_long: return "part header too long";
        case multipart_error::malformed_header: return "malformed part header";
        case multipart_error::too_many_parts: return "too many parts";
        case multipart_error::truncated: return "body ended before the closing boundary";
        case multipart_error::rejected_by_callback: return "rejected by handler";
    }
    return "unknown";
}

std::optional<std::string> boundary_from_content_type(std::string_view content_type) {
    const auto value = parse_header_value(content_type);
    if (!value || !iequals(value->type, "multipart/form-data")) return std::nullopt;
    std::optional<std::string> boundary;
    for (const auto& [name, v] : value->params) {
        if (name != "boundary") continue;
        if (boundary) return std::nullopt;  // two boundaries: no way to tell which one is meant
        boundary = v;
    }
    if (!boundary || !valid_boundary(*boundary)) return std::nullopt;
    return boundary;
}

multipart_parser::multipart_parser(std::string boundary, handlers h, multipart_limits l)
    : delimiter_("\r\n--" + boundary), h_(std::move(h)), limits_(l) {
    if (!valid_boundary(boundary)) throw std::invalid_argument("multipart: invalid boundary");
}

bool multipart_parser::feed(std::string_view chunk) {
    std::size_t pos = 0;
    while (pos < chunk.size()) {
        switch (state_) {
            case state::failed: return false;
            case state::done: return true;  // the epilogue is ignored
            case state::preamble:
            case state::body: pos = scan(chunk, pos); break;
            case state::after_delimiter:
            case state::close_dash:
            case state::padding:
            case state::expect_lf: pos = after_delimiter(chunk, pos); break;
            case state::headers: pos = headers(chunk, pos); break;
        }
    }
    return state_ != state::failed;
}

bool multipart_parser::finish() {
    if (state_ == state::done) return true;
    return fail(multipart_error::truncated);
}

bool multipart_parser::fail(multipart_error e) {
    if (error_ == multipart_error::none) error_ = e;
    state_ = state::failed;
    return false;
}

// Content (or preamble) up to the next delimiter. Content is handed on as slices of `chunk`;
// only a delimiter cut by the end of a chunk is held back, and its bytes are a prefix of
// delimiter_, so holding them costs nothing.
std::size_t multipart_parser::scan(std::string_view chunk, std::size_t pos) {
    const std::string_view d = delimiter_;
    if (matched_ > 0) {
        const std::size_t need = d.size() - matched_;
        const std::size_t n = std::min(need, chunk.size() - pos);
        std::size_t j = 0;
        while (j < n && chunk[pos + j] == d[matched_ + j]) ++j;
        if (j == need) {
            matched_ = 0;
            virtual_crlf_ = false;
            return delimiter_found() ? pos + j : chunk.size();
        }
        if (j == n) {
            matched_ += n;
            return chunk.size();
        }
        // Not a delimiter after all, so the held bytes were content. The delimiter has no CR
        // after its first byte, so no other match can start inside them.
        std::string_view held = d.substr(0, matched_);
        if (virtual_crlf_) held.remove_prefix(2);
        virtual_crlf_ = false;
        matched_ = 0;
        if (!emit(held)) return chunk.size();
    }
    const std::size_t start = pos;
    std::size_t from = pos;
    for (;;) {
        const std::size_t cr = chunk.find('\r', from);
        if (cr == std::string_view::npos) {
            emit(chunk.substr(start));
            return chunk.size();
        }
        const std::size_t n = std::min(d.size(), chunk.size() - cr);
        if (chunk.substr(cr, n) == d.substr(0, n)) {
            if (!emit(chunk.substr(start, cr - start))) return chunk.size();
            if (n < d.size()) {
                matched_ = n;
                return chunk.size();
            }
            return delimiter_found() ? cr + n : chunk.size();
        }
        from = cr + 1;
    }
}

bool multipart_parser::emit(std::string_view data) {
    if (data.empty()) return true;
    if (state_ == state::preamble) {
        preamble_bytes_ += data.size();
        return preamble_bytes_ <= limits_.max_preamble_bytes || fail(multipart_error::bad_preamble);
    }
    return !h_.on_part_data || h_.on_part_data(data) || fail(multipart_error::rejected_by_callback);
}

bool multipart_parser::delimiter_found() {
    if (state_ == state::body && h_.on_part_end && !h_.on_part_end()) {
        return fail(multipart_error::rejected_by_callback);
    }
    state_ = state::after_delimiter;
    header_bytes_ = 0;
    return true;
}

// What may follow "--boundary": "--" (the end), or transport padding and a line end.
std::size_t multipart_parser::after_delimiter(std::string_view chunk, std::size_t pos) {
    while (pos < chunk.size()) {
        const char c = chunk[pos++];
        switch (state_) {
            case state::after_delimiter:
                if (c == '-') {
                    state_ = state::close_dash;
                    continue;
                }
                [[fallthrough]];
            case state::padding:
                if (is_ows(c)) {
                    state_ = state::padding;
                    // Padding is not stored, but it must not run on for ever either.
                    if (++header_bytes_ > limits_.max_header_bytes) {
                        fail(multipart_error::header_too_long);
                        return pos;
                    }
                    continue;
                }
                if (c == '\r') {
                    state_ = state::expect_lf;
                    continue;
                }
                if (c != '\n') fail(multipart_error::bad_delimiter);
                else begin_headers();
                return pos;
            case state::expect_lf:
                if (c != '\n') fail(multipart_error::bad_delimiter);
                else begin_headers();
                return pos;
            case state::close_dash:
                if (c != '-') {
                    fail(multipart_error::bad_delimiter);
                    return pos;
                }
                state_ = state::done;
                return chunk.size();
            default: return pos;
        }
    }
    return pos;
}

bool multipart_parser::begin_headers() {
    if (++parts_ > limits_.max_parts) return fail(multipart_error::too_many_parts);
    part_ = part_info{};
    have_disposition_ = false;
    have_type_ = false;
    line_.clear();
    state_ = state::headers;
    return true;
}

// Header lines end in CRLF or a bare LF; a line is collected whole (it is bounded by
// max_header_bytes) and then parsed.
std::size_t multipart_parser::headers(std::string_view chunk, std::size_t pos) {
    const std::size_t lf = chunk.find('\n', pos);
    const std::size_t line_end = lf == std::string_view::npos ? chunk.size() : lf;
    const std::size_t next = lf == std::string_view::npos ? chunk.size() : lf + 1;
    header_bytes_ += next - pos;
    if (header_bytes_ > limits_.max_header_bytes) {
        fail(multipart_error::header_too_long);
        return chunk.size();
    }
    line_.append(chunk.substr(pos, line_end - pos));
    if (lf == std::string_view::npos) return next;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.empty()) {
        end_headers();
    } else {
        header_line();
        line_.clear();
    }
    return next;
}

bool multipart_parser::header_line() {
    const std::string_view line = line_;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || has_ctl(line)) return fail(multipart_error::malformed_header);
    const std::string_view name = line.substr(0, colon);
    // No folding (obsolete, RFC 7578 has none) and no space before the colon.
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(multipart_error::malformed_header);
    const std::string_view value = trim(line.substr(colon + 1));

    if (iequals(name, "content-type")) {
        if (have_type_) return fail(multipart_error::malformed_header);
        have_type_ = true;
        part_.content_type = value;
        return true;
    }
    if (!iequals(name, "content-disposition")) return true;  // other headers do not matter here
    // Two dispositions, or two names, could be read differently by us and by a proxy in front.
    if (have_disposition_) return fail(multipart_error::malformed_header);
    have_disposition_ = true;
    const auto parsed = parse_header_value(value);
    if (!parsed || !iequals(parsed->type, "form-data")) return fail(multipart_error::malformed_header);
    bool have_name = false;
    bool have_plain = false;
    std::optional<std::string> extended;
    bool have_extended = false;
    for (const auto& [key, v] : parsed->params) {
        if (key == "name") {
            if (have_name) return fail(multipart_error::malformed_header);
            have_name = true;
            part_.name = v;
        } else if (key == "filename") {
            if (have_plain) return fail(multipart_error::malformed_header);
            have_plain = true;
            part_.filename = v;
        } else if (key == "filename*") {
            if (have_extended) return fail(multipart_error::malformed_header);
            have_extended = true;
            extended = decode_ext_value(v);  // undecodable: fall back to filename
        }
    }
    if (!have_name) return fail(multipart_error::malformed_header);
    part_.has_filename = have_plain || have_extended;
    if (extended) part_.filename = std::move(*extended);
    return true;
}

bool multipart_parser::end_headers() {
    if (!have_disposition_) return fail(multipart_error::malformed_header);
    line_.clear();
    line_.shrink_to_fit();  // a long header line should not stay allocated for the whole body
    if (h_.on_part_begin && !h_.on_part_begin(part_)) return fail(multipart_error::rejected_by_callback);
    state_ = state::body;
    matched_ = 0;
    return true;
}

}  // namespace sabor::http
