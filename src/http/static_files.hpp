// Static files from web/static/, loaded into memory at start-up: they are few and small,
// and a map lookup can never walk outside the folder.
#pragma once
#include "http/message.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace sabor::http {

class static_files {
public:
    explicit static_files(const std::filesystem::path& root);
    // Answers GET /static/{path}: 200 with ETag, Last-Modified and Cache-Control, 304 and
    // 206/416 as serve_file does (file_response.hpp), 404 when absent.
    response serve(const request& req, std::string_view rel_path) const;
    std::string etag(std::string_view rel_path) const;  // "" when absent; for cache-busting links

private:
    struct file {
        std::string body, content_type, etag;
        std::int64_t mtime = -1;
    };
    std::map<std::string, file, std::less<>> files_;
};

std::string_view content_type_for(std::string_view filename);

}  // namespace sabor::http
