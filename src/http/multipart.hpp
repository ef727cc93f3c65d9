// A streaming multipart/form-data parser (RFC 7578 over RFC 2046). Beast has none, and uploads
// must never sit whole in memory: body bytes go to a callback as pieces of the fed chunks.
// Self-contained on purpose (standard library only): the fuzz target compiles this file alone.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::http {

// The boundary parameter of a multipart/form-data Content-Type (quoted or not); nullopt when
// the type is not multipart/form-data or the boundary is missing, empty, longer than 70 or has
// characters outside RFC 2046's bchars (or ends in a space).
std::optional<std::string> boundary_from_content_type(std::string_view content_type);

struct part_info {
    std::string name;          // form field name from Content-Disposition
    std::string filename;      // as given, not cleaned (see clean_filename); filename* wins
    bool has_filename = false; // a filename or filename* parameter was present (may be empty)
    std::string content_type;  // as claimed, trimmed (we do not trust it)
};

struct multipart_limits {
    std::size_t max_header_bytes = 16 * 1024;  // per part's header block, line ends included
    std::size_t max_parts = 16;
    std::size_t max_preamble_bytes = 1024;     // junk before the first boundary (browsers send none)
};

enum class multipart_error {
    none,
    bad_preamble,         // no first boundary within max_preamble_bytes
    bad_delimiter,        // "--boundary" followed by something other than padding, CRLF or "--"
    header_too_long,
    malformed_header,     // bad header line, missing/duplicate/invalid Content-Disposition
    too_many_parts,
    truncated,            // finish() before the closing boundary
    rejected_by_callback,
};
std::string_view to_string(multipart_error e);

class multipart_parser {
public:
    // Empty handlers count as "return true". A handler must not call back into the parser.
    // After an error no handler is called again: a part begun but not ended was cut short.
    struct handlers {
        std::function<bool(const part_info&)> on_part_begin;  // return false to abort
        std::function<bool(std::string_view)> on_part_data;   // body bytes of the current part, in pieces
        std::function<bool()> on_part_end;
    };

    // `boundary` as returned by boundary_from_content_type; std::invalid_argument otherwise.
    multipart_parser(std::string boundary, handlers h, multipart_limits l = {});

    bool feed(std::string_view chunk);  // any chunking; false once an error happened
    bool finish();                      // true only if the closing boundary was seen
    multipart_error error() const { return error_; }
    bool done() const { return state_ == state::done; }  // closing boundary seen; epilogue ignored
    std::size_t parts() const { return parts_; }         // parts started so far

private:
    enum class state { preamble, body, after_delimiter, close_dash, padding, expect_lf, headers, done, failed };

    std::size_t scan(std::string_view chunk, std::size_t pos);
    std::size_t after_delimiter(std::string_view chunk, std::size_t pos);
    std::size_t headers(std::string_view chunk, std::size_t pos);
    bool emit(std::string_view data);
    bool delimiter_found();
    bool begin_headers();
    bool header_line();
    bool end_headers();
    bool fail(multipart_error e);

    std::string delimiter_;  // "\r\n--" + boundary: what ends a part (and the preamble)
    handlers h_;
    multipart_limits limits_;
    state state_ = state::preamble;
    multipart_error error_ = multipart_error::none;
    // Bytes of delimiter_ matched at the end of the last chunk. They are a prefix of delimiter_,
    // so they need no buffer of their own. It starts at 2 as if the body began with CRLF, which
    // lets a boundary on the very first line open the first part.
    std::size_t matched_ = 2;
    bool virtual_crlf_ = true;  // the 2 matched bytes above are that imagined CRLF
    std::size_t preamble_bytes_ = 0;
    std::size_t header_bytes_ = 0;
    std::size_t parts_ = 0;
    std::string line_;  // the header line being collected
    part_info part_;
    bool have_disposition_ = false;
    bool have_type_ = false;
};

}  // namespace sabor::http
