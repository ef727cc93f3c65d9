#include "materials/upload.hpp"

#include "materials/filename.hpp"
#include "materials/store.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>

#include <fcntl.h>
#include <unistd.h>

namespace sabor::materials {
namespace {

std::filesystem::path new_temp_path(const std::filesystem::path& dir) {
    return dir / (util::random_token(18) + ".part");
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// The kept name, its extension that of what the content is ("slides.pdf" that is really a
// PPTX becomes "slides.pptx"), or "material.<ext>" when nothing usable was given.
std::string final_name(const std::optional<std::string>& cleaned, const util::file_kind& k) {
    if (!cleaned) return "material." + k.extension;
    std::string name = *cleaned;
    auto dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) {
        auto ext = lower(name.substr(dot + 1));
        if (ext == k.extension || (k.extension == "jpg" && ext == "jpeg")) return name;
        bool looks_like_extension = !ext.empty() && ext.size() <= 15 &&
                                    std::all_of(ext.begin(), ext.end(), [](unsigned char c) { return std::isalnum(c); });
        if (looks_like_extension) name.resize(dot);
    }
    // Cut to leave room for the extension, at a code point boundary.
    std::size_t room = max_filename_bytes - k.extension.size() - 1;
    if (name.size() > room) {
        name.resize(room);
        while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) name.pop_back();
        if (!name.empty() && static_cast<unsigned char>(name.back()) >= 0xC0) name.pop_back();
    }
    return name + "." + k.extension;
}

}  // namespace

upload_options default_upload_options(const std::string& data_dir, std::int64_t max_bytes, std::vector<std::string> allowed) {
    upload_options o;
    o.temp_dir = temp_dir(data_dir);
    o.max_bytes = static_cast<std::uint64_t>(max_bytes);
    o.allowed = std::move(allowed);
    return o;
}

std::size_t upload_body_limit(std::int64_t max_bytes) { return static_cast<std::size_t>(max_bytes) + 64 * 1024; }

std::variant<std::string, boundary_refusal> upload_boundary(const http::request& req) {
    auto type = req.header("content-type");
    if (auto b = http::boundary_from_content_type(type)) return *b;
    bool multipart = lower(std::string(type.substr(0, 19))) == "multipart/form-data";
    return boundary_refusal{multipart ? 400 : 415, multipart ? "missing_boundary" : "not_multipart"};
}

upload_sink::upload_sink(const http::request& head, const std::string& boundary, upload_options o)
    : head_(head),
      opts_(std::move(o)),
      parser_(boundary, http::multipart_parser::handlers{[this](const http::part_info& p) { return on_begin(p); },
                                                   [this](std::string_view d) { return on_data(d); },
                                                   [this] { return on_end(); }}) {
    head_.body.clear();
    head_.sink.reset();
}

upload_sink::~upload_sink() {
    close_file();
    if (!taken_) remove_temp();
}

bool upload_sink::refuse(int status, std::string code) {
    refusal_status_ = status;
    refusal_code_ = std::move(code);
    return false;
}

bool upload_sink::on_begin(const http::part_info& p) {
    field_.clear();
    if (p.name == "file") {
        if (have_file_) return refuse(400, "one_file");
        // The page's form puts its token before the file, so a forged form stops here,
        // before any of the file is stored.
        if (opts_.csrf_token && !csrf_checked_) return refuse(403, "csrf");
        result_.temp = new_temp_path(opts_.temp_dir);
        fd_ = ::open(result_.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0) return io_failed("cannot create", errno);
        have_file_ = true;
        crypto_hash_sha256_init(&sha_);
        given_name_ = p.filename;
        current_ = target::file;
    } else if (p.name == "title") {
        current_ = target::title;
    } else if (p.name == "talk_id") {
        current_ = target::talk_id;
    } else if (p.name == "csrf_token") {
        current_ = target::csrf;
    } else {
        current_ = target::ignored;  // other fields are not ours to judge
    }
    return true;
}

bool upload_sink::on_data(std::string_view d) {
    switch (current_) {
    case target::file:
        if (result_.size + d.size() > opts_.max_bytes) return refuse(413, "file_too_large");
        crypto_hash_sha256_update(&sha_, reinterpret_cast<const unsigned char*>(d.data()), d.size());
        result_.size += d.size();
        while (!d.empty()) {
            auto n = ::write(fd_, d.data(), d.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return io_failed("cannot write", n < 0 ? errno : ENOSPC);
            d.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    case target::title:
    case target::talk_id:
    case target::csrf:
        if (field_.size() + d.size() > max_field_bytes) return refuse(400, "field_too_long");
        field_.append(d);
        return true;
    default:
        return true;
    }
}

bool upload_sink::on_end() {
    auto t = std::exchange(current_, target::none);
    if (t == target::file) {
        // On disk before its row can be committed: a power cut must not leave a row whose
        // file is cut short.
        if (::fsync(fd_) != 0) return io_failed("cannot sync", errno);
        close_file();
        return true;
    }
    if ((t == target::title || t == target::talk_id) && !util::valid_utf8(field_)) return refuse(400, "invalid_utf8");
    if (t == target::title) result_.title = field_;
    if (t == target::talk_id) result_.talk_id = field_;
    if (t == target::csrf && opts_.csrf_token) {
        if (!util::constant_time_equal(field_, *opts_.csrf_token)) return refuse(403, "csrf");
        csrf_checked_ = true;
    }
    return true;
}

// The disk is full (or a quota or file-size limit is reached): 507 and the cause in the log;
// any other failure of the file: 500, also logged. The temporary file goes with the refusal.
bool upload_sink::io_failed(const char* what, int err) {
    bool no_space = err == ENOSPC || err == EDQUOT || err == EFBIG;
    std::cerr << "error: " << head_.method << " " << head_.path << ": " << what << " " << result_.temp.string() << ": "
              << std::strerror(err) << std::endl;
    return refuse(no_space ? 507 : 500, no_space ? "no_space" : "internal");
}

bool upload_sink::write(std::string_view piece) {
    try {
        if (parser_.feed(piece)) return true;
    } catch (const std::exception& e) {
        std::cerr << "error: " << head_.method << " " << head_.path << ": " << e.what() << std::endl;
        return refuse(500, "internal");
    }
    if (parser_.error() != http::multipart_error::rejected_by_callback) refuse(400, "bad_multipart");
    return false;
}

bool upload_sink::finish() {
    try {
        return finish_body();
    } catch (const std::exception& e) {
        std::cerr << "error: " << head_.method << " " << head_.path << ": " << e.what() << std::endl;
        return refuse(500, "internal");
    }
}

bool upload_sink::finish_body() {
    if (!parser_.finish()) {
        if (parser_.error() != http::multipart_error::rejected_by_callback)
            refuse(400, parser_.error() == http::multipart_error::truncated ? "truncated_upload" : "bad_multipart");
        return false;
    }
    if (opts_.csrf_token && !csrf_checked_) return refuse(403, "csrf");
    if (!have_file_) return refuse(400, "no_file");
    if (result_.size == 0) return refuse(400, "empty_file");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha_, digest);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    result_.sha256 = hex;
    // By content alone: the name and the claimed type are the uploader's to choose.
    auto kind = util::detect_file(result_.temp);
    auto allowed = [&](const util::file_kind& k) {
        return std::find(opts_.allowed.begin(), opts_.allowed.end(), lower(k.label)) != opts_.allowed.end() ||
               std::find(opts_.allowed.begin(), opts_.allowed.end(), k.extension) != opts_.allowed.end();
    };
    if (!kind || !allowed(*kind)) return refuse(415, "file_type");
    result_.kind = *kind;
    result_.filename = final_name(clean_filename(given_name_), *kind);
    return true;
}

void upload_sink::abort() noexcept {
    close_file();
    remove_temp();
}

http::response upload_sink::refusal() {
    if (opts_.refusal) return opts_.refusal(head_, refusal_status_, refusal_code_, result_);
    http::response res;  // a route that gave no answer for refusals: the status alone
    res.status = refusal_status_;
    return res;
}

void upload_sink::close_file() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void upload_sink::remove_temp() noexcept {
    if (result_.temp.empty()) return;
    std::error_code ec;
    std::filesystem::remove(result_.temp, ec);
}

}  // namespace sabor::materials
