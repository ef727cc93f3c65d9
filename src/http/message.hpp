// Plain HTTP request and response: what handlers see. No Beast here, so domain code and
// tests use them without sockets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::http {

using fields = std::vector<std::pair<std::string, std::string>>;

class body_sink;  // http/body_sink.hpp

struct request {
    std::string method;        // "GET", "POST", ...
    std::string target;        // as sent: "/events?city=Ruse"
    std::string path;          // percent-decoded path
    fields query;              // decoded query parameters, in order
    fields headers;            // names lower-cased
    std::string body;
    std::string remote_addr;  // the client: the peer, or whom a trusted proxy forwarded for
    std::string peer_addr;    // the socket's other end, once remote_addr was resolved
    std::map<std::string, std::string, std::less<>> params;  // path parameters from the router
    // For a streaming route: the sink that took the body (see body_sink.hpp); the handler
    // takes its result out of it. Shared, so a request stays copyable.
    std::shared_ptr<body_sink> sink;

    std::string_view header(std::string_view name) const;  // "" when absent
    std::optional<std::string> query_param(std::string_view name) const;
    std::optional<std::string> cookie(std::string_view name) const;
    std::string_view param(std::string_view name) const;
};

// An open file descriptor, closed when the last response holding it is gone.
class file_handle {
public:
    explicit file_handle(int fd) noexcept : fd_(fd) {}
    ~file_handle();
    file_handle(const file_handle&) = delete;
    file_handle& operator=(const file_handle&) = delete;
    int fd() const noexcept { return fd_; }
    // Opens a regular file for reading; nullptr when it is missing, unreadable or not a file.
    static std::shared_ptr<const file_handle> open(const std::string& path);

private:
    int fd_;
};

// A slice of a file sent as the response body with sendfile(2), never read into memory.
struct file_part {
    std::shared_ptr<const file_handle> file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;  // the Content-Length
};

// A body made while it is sent (an archive of many files): the server pulls it piece by
// piece and sends it chunked, so it never sits whole in memory. All calls come from the
// connection's thread; the source is dropped when the connection ends, finished or not.
class body_source {
public:
    virtual ~body_source() = default;
    // Fills `buf` with up to `size` bytes and returns how many; 0 means the body is complete.
    // Throws when it cannot go on: the server then cuts the connection, so the client sees
    // an incomplete body rather than a wrong one.
    virtual std::size_t read(char* buf, std::size_t size) = 0;
};

struct response {
    int status = 200;
    fields headers;
    std::string body;
    std::optional<file_part> file;         // when set, sent instead of `body`
    std::shared_ptr<body_source> stream;  // when set, sent chunked instead of `body`

    std::uint64_t content_length() const { return file ? file->length : body.size(); }

    void set_header(std::string name, std::string value);  // replaces
    void add_header(std::string name, std::string value);  // appends (Set-Cookie)
    std::string_view header(std::string_view name) const;

    static response text(int status, std::string body);
    static response html(int status, std::string body);
    static response json(int status, std::string body);
    static response redirect(std::string location, int status = 303);
};

// Parses a target into path and query; false when it is not a valid origin-form target.
bool parse_target(std::string_view target, std::string& path, fields& query);

// application/x-www-form-urlencoded body -> decoded pairs; false on malformed encoding.
bool parse_form(std::string_view body, fields& out);

std::string_view reason(int status);

struct cookie_options {
    bool secure = false;
    long max_age = -1;  // -1 = session cookie; 0 = delete
    std::string path = "/";
};
std::string make_cookie(std::string_view name, std::string_view value, const cookie_options& o);

}  // namespace sabor::http
