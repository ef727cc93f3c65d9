#include "http/message.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sabor::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view find_field(const fields& f, std::string_view name) {
    for (const auto& [k, v] : f)
        if (iequals(k, name)) return v;
    return {};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Decodes query-style pairs; '+' is a space in forms and query strings alike.
bool decode_pairs(std::string_view s, fields& out) {
    // Boost.URL 1.81's parse_query reads the last value up to a NUL, not to the end of the
    // view (found by tests/fuzz/fuzz_form): give it a NUL-terminated copy, and refuse a raw
    // NUL, which no valid query holds.
    if (s.find('\0') != std::string_view::npos) return false;
    const std::string copy(s);
    auto r = boost::urls::parse_query(copy);
    if (!r) return false;
    for (auto p : *r) {
        if (p.key.empty() && !p.has_value) continue;
        std::string key, value;
        boost::urls::encoding_opts opt;
        opt.space_as_plus = true;
        key = p.key.decode(opt);
        if (p.has_value) value = p.value.decode(opt);
        out.emplace_back(std::move(key), std::move(value));
    }
    return true;
}

}  // namespace

std::string_view request::header(std::string_view name) const { return find_field(headers, name); }

std::optional<std::string> request::query_param(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

std::optional<std::string> request::cookie(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (!iequals(k, "cookie")) continue;
        std::string_view rest = v;
        while (!rest.empty()) {
            auto semi = rest.find(';');
            auto part = trim(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            auto eq = part.find('=');
            if (eq == std::string_view::npos) continue;
            if (trim(part.substr(0, eq)) == name) return std::string(trim(part.substr(eq + 1)));
        }
    }
    return std::nullopt;
}

std::string_view request::param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string_view{} : std::string_view{it->second};
}

file_handle::~file_handle() {
    if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<const file_handle> file_handle::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    auto h = std::make_shared<const file_handle>(fd);  // owns fd from here on
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
    return h;
}

namespace {
// A value taken from the request (a decoded path in a login redirect, a query parameter)
// must never end the header line and start one of its own: control bytes are
// percent-encoded, which is also what they must be in a Location.
std::string header_value(std::string value) {
    static const char* hex = "0123456789ABCDEF";
    auto control = [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; };
    if (std::none_of(value.begin(), value.end(), [&](char c) { return control(static_cast<unsigned char>(c)); }))
        return value;
    std::string out;
    for (unsigned char c : value) {
        if (!control(c)) {
            out += static_cast<char>(c);
            continue;
        }
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}
}  // namespace

void response::set_header(std::string name, std::string value) {
    value = header_value(std::move(value));
    for (auto& [k, v] : headers)
        if (iequals(k, name)) {
            v = std::move(value);
            return;
        }
    headers.emplace_back(std::move(name), std::move(value));
}

void response::add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), header_value(std::move(value)));
}

std::string_view response::header(std::string_view name) const { return find_field(headers, name); }

response response::text(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    r.set_header("Content-Type", "text/plain; charset=utf-8");
    return r;
}

response response::html(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    r.set_header("Content-Type", "text/html; charset=utf-8");
    return r;
}

response response::json(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    r.set_header("Content-Type", "application/json; charset=utf-8");
    return r;
}

response response::redirect(std::string location, int status) {
    response r;
    r.status = status;
    r.set_header("Location", std::move(location));
    r.set_header("Content-Type", "text/plain; charset=utf-8");
    return r;
}

bool parse_target(std::string_view target, std::string& path, fields& query) {
    auto r = boost::urls::parse_origin_form(target);
    if (!r) return false;
    path = r->path();  // decoded
    // A decoded NUL would cut the path short wherever it meets a C string (a file name).
    if (path.find('\0') != std::string::npos) return false;
    query.clear();
    if (r->has_query() && !decode_pairs(r->encoded_query(), query)) return false;
    return true;
}

bool parse_form(std::string_view body, fields& out) {
    out.clear();
    return decode_pairs(body, out);
}

std::string_view reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 411: return "Length Required";
        case 412: return "Precondition Failed";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 416: return "Range Not Satisfiable";
        case 422: return "Unprocessable Entity";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

std::string make_cookie(std::string_view name, std::string_view value, const cookie_options& o) {
    std::string c;
    c.append(name).append("=").append(value).append("; Path=").append(o.path);
    if (o.max_age >= 0) c.append("; Max-Age=").append(std::to_string(o.max_age));
    c.append("; HttpOnly; SameSite=Lax");
    if (o.secure) c.append("; Secure");
    return c;
}

}  // namespace sabor::http
