#include "http/file_response.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

#include <sys/stat.h>

namespace sabor::http {
namespace {

constexpr std::array<const char*, 7> day_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string_view strip_weak(std::string_view tag) {
    if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
    return tag;
}

// If-None-Match: "*" or a list of entity tags, compared weakly (W/ prefixes ignored).
bool none_match_hits(std::string_view header, std::string_view etag) {
    std::string_view ours = strip_weak(etag);
    while (true) {
        while (!header.empty() && (header.front() == ' ' || header.front() == '\t' || header.front() == ','))
            header.remove_prefix(1);
        if (header.empty()) return false;
        if (header.front() == '*') return true;
        header = strip_weak(header);
        if (header.empty() || header.front() != '"') return false;  // malformed: no match
        auto close = header.find('"', 1);
        if (close == std::string_view::npos) return false;
        if (!ours.empty() && header.substr(0, close + 1) == ours) return true;
        header.remove_prefix(close + 1);
    }
}

// Digits only; saturates instead of overflowing (a huge first position is simply past the end).
std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        unsigned d = static_cast<unsigned>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) v = std::numeric_limits<std::uint64_t>::max();
        else v = v * 10 + d;
    }
    return v;
}

enum class range_kind { none, one, unsatisfiable };

// One "bytes=" range against `size`; `none` for anything we answer whole (absent, malformed,
// other units, several ranges).
range_kind parse_range(std::string_view header, std::uint64_t size, std::uint64_t& first, std::uint64_t& last) {
    header = trim(header);
    if (header.size() < 6) return range_kind::none;
    for (std::size_t i = 0; i < 5; ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != "bytes"[i]) return range_kind::none;
    header.remove_prefix(5);
    header = trim(header);
    if (header.empty() || header.front() != '=') return range_kind::none;
    header.remove_prefix(1);
    std::string_view spec;
    int count = 0;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto part = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        if (part.empty()) continue;  // "bytes=0-1," is allowed by the list syntax
        spec = part;
        ++count;
    }
    if (count != 1) return range_kind::none;
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return range_kind::none;
    auto a = trim(spec.substr(0, dash));
    auto b = trim(spec.substr(dash + 1));
    if (a.empty()) {  // suffix: the last n bytes
        auto n = parse_number(b);
        if (!n) return range_kind::none;
        if (*n == 0 || size == 0) return range_kind::unsatisfiable;
        first = size - std::min(*n, size);
        last = size - 1;
        return range_kind::one;
    }
    auto start = parse_number(a);
    if (!start) return range_kind::none;
    std::uint64_t end = std::numeric_limits<std::uint64_t>::max();
    if (!b.empty()) {
        auto e = parse_number(b);
        if (!e || *e < *start) return range_kind::none;  // invalid, so ignored
        end = *e;
    }
    if (*start >= size) return range_kind::unsatisfiable;
    first = *start;
    last = std::min(end, size - 1);
    return range_kind::one;
}

// If-Range: a strong ETag that is ours, or exactly our Last-Modified date.
bool if_range_holds(std::string_view header, const file_meta& meta) {
    header = trim(header);
    if (header.empty()) return true;
    if (header.front() == '"' || header.starts_with("W/")) {
        return !meta.etag.empty() && !meta.etag.starts_with("W/") && header == meta.etag;
    }
    auto date = parse_http_date(header);
    return date && meta.last_modified >= 0 && *date == meta.last_modified;
}

int month_index(const char* m) {
    for (int i = 0; i < 12; ++i)
        if (std::string_view(m) == month_names[static_cast<std::size_t>(i)]) return i;
    return -1;
}

std::optional<std::int64_t> to_unix(int year, int month, int day, int hour, int minute, int second) {
    if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || hour < 0 || minute < 0 ||
        second < 0 || year < 1970 || year > 9999)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace

std::string format_http_date(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    // By hand rather than strftime: day and month names must not follow the process locale.
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", day_names[static_cast<std::size_t>(tm.tm_wday)],
                  tm.tm_mday, month_names[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::optional<std::int64_t> parse_http_date(std::string_view s) {
    std::string in(trim(s));
    char wday[16] = {}, mon[4] = {};
    int day = 0, year = 0, h = 0, m = 0, sec = 0, used = 0;
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    if (std::sscanf(in.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &day, mon, &year, &h, &m, &sec,
                    &used) == 7 &&
        static_cast<std::size_t>(used) == in.size())
        return to_unix(year, month_index(mon), day, h, m, sec);
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years taken as 19xx/20xx, RFC 9110 5.6.7)
    used = 0;
    if (std::sscanf(in.c_str(), "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wday, &day, mon, &year, &h, &m, &sec,
                    &used) == 7 &&
        static_cast<std::size_t>(used) == in.size())
        return to_unix(year < 70 ? 2000 + year : 1900 + year, month_index(mon), day, h, m, sec);
    // asctime: Sun Nov  6 08:49:37 1994
    used = 0;
    if (std::sscanf(in.c_str(), "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wday, mon, &day, &h, &m, &sec, &year, &used) ==
            7 &&
        static_cast<std::size_t>(used) == in.size())
        return to_unix(year, month_index(mon), day, h, m, sec);
    return std::nullopt;
}

response conditional_answer(const request& req, std::uint64_t size, const file_meta& meta, std::uint64_t& offset,
                            std::uint64_t& length) {
    response r;
    r.set_header("Accept-Ranges", "bytes");
    if (!meta.etag.empty()) r.set_header("ETag", meta.etag);
    if (meta.last_modified >= 0) r.set_header("Last-Modified", format_http_date(meta.last_modified));
    if (!meta.cache_control.empty()) r.set_header("Cache-Control", meta.cache_control);
    offset = 0;
    length = size;

    bool get = req.method == "GET";
    if (get || req.method == "HEAD") {
        auto inm = req.header("if-none-match");
        bool not_modified = false;
        if (!inm.empty()) {
            not_modified = none_match_hits(inm, meta.etag);
        } else if (auto ims = req.header("if-modified-since"); !ims.empty() && meta.last_modified >= 0) {
            auto since = parse_http_date(ims);
            not_modified = since && meta.last_modified <= *since;
        }
        if (not_modified) {
            r.status = 304;
            return r;
        }
    }

    auto range = req.header("range");
    if (get && !range.empty() && if_range_holds(req.header("if-range"), meta)) {
        std::uint64_t first = 0, last = 0;
        switch (parse_range(range, size, first, last)) {
            case range_kind::unsatisfiable:
                r.status = 416;
                r.set_header("Content-Range", "bytes */" + std::to_string(size));
                r.set_header("Content-Type", "text/plain; charset=utf-8");
                r.body = "Range Not Satisfiable\n";
                offset = length = 0;
                return r;
            case range_kind::one:
                r.status = 206;
                r.set_header("Content-Range",
                             "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
                offset = first;
                length = last - first + 1;
                break;
            case range_kind::none: break;
        }
    }
    r.set_header("Content-Type", meta.content_type);
    if (!meta.content_disposition.empty()) r.set_header("Content-Disposition", meta.content_disposition);
    return r;
}

response serve_file(const request& req, std::shared_ptr<const file_handle> file, const file_meta& meta) {
    struct stat st {};
    if (!file || ::fstat(file->fd(), &st) != 0 || !S_ISREG(st.st_mode)) return response::text(404, "Not found\n");
    file_meta m = meta;
    if (m.last_modified < 0) m.last_modified = static_cast<std::int64_t>(st.st_mtime);
    std::uint64_t offset = 0, length = 0;
    auto r = conditional_answer(req, static_cast<std::uint64_t>(st.st_size), m, offset, length);
    if (r.status == 200 || r.status == 206) r.file = file_part{std::move(file), offset, length};
    return r;
}

response serve_file(const request& req, const std::string& path, const file_meta& meta) {
    return serve_file(req, file_handle::open(path), meta);
}

}  // namespace sabor::http
