#include "http/static_files.hpp"

#include "http/file_response.hpp"
#include "util/crypto.hpp"

#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace sabor::http {

std::string_view content_type_for(std::string_view name) {
    auto ends = [&](std::string_view ext) { return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext; };
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".jpg") || ends(".jpeg")) return "image/jpeg";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    if (ends(".html")) return "text/html; charset=utf-8";
    return "application/octet-stream";
}

static_files::static_files(const std::filesystem::path& root) {
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) return;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        file f;
        f.body = ss.str();
        auto rel = entry.path().lexically_relative(root).generic_string();
        f.content_type = std::string(content_type_for(rel));
        f.etag = "\"" + util::sha256_hex(f.body).substr(0, 16) + "\"";
        struct stat st {};
        if (::stat(entry.path().c_str(), &st) == 0) f.mtime = static_cast<std::int64_t>(st.st_mtime);
        files_.emplace(rel, std::move(f));
    }
}

response static_files::serve(const request& req, std::string_view rel_path) const {
    auto it = files_.find(rel_path);
    if (it == files_.end()) return response::text(404, "Not found\n");
    const auto& f = it->second;
    file_meta meta;
    meta.content_type = f.content_type;
    meta.etag = f.etag;
    meta.last_modified = f.mtime;
    // Links carry ?v=etag, so a day of caching is safe; revalidation is cheap anyway.
    meta.cache_control = "public, max-age=86400";
    std::uint64_t offset = 0, length = 0;
    auto r = conditional_answer(req, f.body.size(), meta, offset, length);
    if (r.status == 200 || r.status == 206) r.body = f.body.substr(offset, length);
    return r;
}

std::string static_files::etag(std::string_view rel_path) const {
    auto it = files_.find(rel_path);
    if (it == files_.end()) return {};
    return it->second.etag.substr(1, it->second.etag.size() - 2);
}

}  // namespace sabor::http
