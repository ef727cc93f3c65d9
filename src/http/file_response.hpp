// Answers for downloadable files: validators (ETag, Last-Modified) with 304, single byte
// ranges with 206/416, and a body the server sends with sendfile(2) from the open file.
// Plain code over request/response: tests call it without sockets.
#pragma once
#include "http/message.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::http {

struct file_meta {
    std::string content_type = "application/octet-stream";
    std::string content_disposition;  // built by the caller; "" = no header
    std::string etag;                 // strong and quoted, e.g. "\"9f86d081\""; "" = none
    std::int64_t last_modified = -1;  // unix seconds; -1 = the file's mtime (serve_file) or none
    std::string cache_control;        // "" = no header
};

// Answers GET or HEAD for the file at `path`:
//  - 304 when If-None-Match matches the ETag (weak comparison, lists and "*"), or, without
//    If-None-Match, when If-Modified-Since is at or after Last-Modified;
//  - 206 with Content-Range for one range "bytes=a-b", "a-" or "-n" (an end past the file is
//    clamped); 416 with "Content-Range: bytes */size" when it starts past the end;
//  - 200 with the whole file for several ranges (we do not send multipart/byteranges: the
//    clients that resume downloads ask for one), a malformed Range, an If-Range that does not
//    match (strong ETag or exact date), or for HEAD (ranges are defined for GET only);
//  - 404 (plain text) when the file cannot be opened.
// Every answer but 404 carries Accept-Ranges, ETag, Last-Modified and Cache-Control; 200 and
// 206 also Content-Type and Content-Disposition, and `file` set to the slice to send (HEAD too:
// the server then sends the header alone, with the right Content-Length).
response serve_file(const request& req, const std::string& path, const file_meta& meta);
response serve_file(const request& req, std::shared_ptr<const file_handle> file, const file_meta& meta);

// The decisions of serve_file for a representation of `size` bytes wherever it lives: returns
// the response with status and headers; for 200 and 206 `offset`/`length` are the slice to
// send, and the caller supplies the body (static_files slices its in-memory copy).
response conditional_answer(const request& req, std::uint64_t size, const file_meta& meta, std::uint64_t& offset,
                            std::uint64_t& length);

// IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::int64_t unix_seconds);
// IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
std::optional<std::int64_t> parse_http_date(std::string_view s);

}  // namespace sabor::http
