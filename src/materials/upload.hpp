// The sink an upload's body streams into: the multipart parser takes the body as it
// arrives; the `file` part goes to a temporary file under the data folder (SHA-256
// computed on the way, never whole in memory) and the small text fields are kept. When the
// body is complete the content's type is checked with libmagic. Any refusal, a client
// that goes away, or a handler that does not take the file: the temporary file is deleted.
#pragma once
#include "http/body_sink.hpp"
#include "util/file_type.hpp"
#include "http/multipart.hpp"

#include <sodium.h>

#include <cstdint>
#include <functional>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sabor::materials {

struct upload_result;

struct upload_options {
    std::filesystem::path temp_dir;
    std::uint64_t max_bytes = 0;            // of the file itself ([uploads] max_bytes)
    std::vector<std::string> allowed;       // [uploads] allowed_types: "pdf", "pptx", "jpeg", ...
    std::optional<std::string> csrf_token;  // the organiser's page: the token the form must
                                            // carry, in a field before the file
    // How the route answers a refusal (status, code such as "file_type", the text fields
    // read so far): the API's error, or the organiser's page with its reason.
    std::function<http::response(http::request& head, int status, const std::string& code, const upload_result&)>
        refusal;
};

struct upload_result {
    std::filesystem::path temp;  // the whole file
    std::string filename;        // cleaned, its extension that of the detected type
    util::file_kind kind;
    std::uint64_t size = 0;
    std::string sha256;  // hex
    // Text fields of the form as sent (valid UTF-8, at most max_field_bytes each).
    std::string title;
    std::string talk_id;
};

inline constexpr std::size_t max_field_bytes = 1000;

// The temporary folder under the data folder ([storage] data_dir) and [uploads] max_bytes,
// allowed_types.
upload_options default_upload_options(const std::string& data_dir, std::int64_t max_bytes, std::vector<std::string> allowed);
// The body limit of an upload route: the file's limit ([uploads] max_bytes) and room for the
// multipart framing and the small fields (the sink holds the file itself to max_bytes exactly).
std::size_t upload_body_limit(std::int64_t max_bytes);
// The boundary of a multipart/form-data request, or why not, for the route to answer: 400
// without a usable boundary, 415 when the body is not multipart/form-data at all.
struct boundary_refusal {
    int status;
    std::string code;  // "missing_boundary", "not_multipart"
};
std::variant<std::string, boundary_refusal> upload_boundary(const http::request& req);

class upload_sink : public http::body_sink {
public:
    upload_sink(const http::request& head, const std::string& boundary, upload_options o);
    ~upload_sink() override;
    upload_sink(const upload_sink&) = delete;
    upload_sink& operator=(const upload_sink&) = delete;

    bool write(std::string_view piece) override;
    bool finish() override;
    void abort() noexcept override;
    http::response refusal() override;

    const upload_result& result() const { return result_; }
    // The caller moved result().temp away: nothing left to delete.
    void taken() { taken_ = true; }

private:
    enum class target { none, file, title, talk_id, csrf, ignored };
    bool on_begin(const http::part_info& p);
    bool on_data(std::string_view data);
    bool on_end();
    bool refuse(int status, std::string code);
    bool io_failed(const char* what, int err);
    bool finish_body();
    void close_file() noexcept;
    void remove_temp() noexcept;

    http::request head_;  // method, path and headers: the refusal's language and kind (page or API)
    upload_options opts_;
    http::multipart_parser parser_;
    target current_ = target::none;
    std::string field_;  // the text field being read
    std::string csrf_seen_;
    bool csrf_checked_ = false;
    bool have_file_ = false;
    int fd_ = -1;
    std::string given_name_;
    bool given_name_valid_ = false;
    crypto_hash_sha256_state sha_{};
    upload_result result_;
    bool taken_ = false;
    int refusal_status_ = 400;
    std::string refusal_code_ = "bad_upload";
};

}  // namespace sabor::materials
