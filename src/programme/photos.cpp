#include "programme/photos.hpp"

#include "util/file_type.hpp"
#include "util/crypto.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace sabor::programme {
namespace {

namespace fs = std::filesystem;

// Only names we made: random URL-safe base64 and our extension. Guards the path joins.
bool safe_name(std::string_view s) {
    if (s.empty() || s.size() > 80 || s.front() == '.') return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

}  // namespace

std::string photo_path(const std::string& data_dir, std::string_view stored) {
    return (fs::path(data_dir) / "photos" / std::string(stored)).string();
}

std::string photo_content_type(std::string_view stored) {
    return stored.ends_with(".png") ? "image/png" : "image/jpeg";
}

saved_photo save_photo(const std::string& data_dir, std::string_view bytes) {
    saved_photo r;
    if (bytes.empty()) {
        r.error = "prog_error_photo_empty";
        return r;
    }
    if (bytes.size() > max_photo_bytes) {
        r.error = "prog_error_photo_too_large";
        return r;
    }
    auto kind = util::detect_buffer(bytes, util::file_use::photo);
    if (!kind) {
        r.error = "prog_error_photo_type";
        return r;
    }
    auto dir = fs::path(data_dir) / "photos";
    fs::create_directories(dir);
    auto name = util::random_token(18) + "." + (kind->extension == "png" ? "png" : "jpg");
    auto tmp = dir / (".tmp-" + name);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw std::runtime_error("cannot write a speaker's photo under " + dir.string());
        }
    }
    fs::rename(tmp, dir / name);
    r.stored = name;
    return r;
}

void remove_photo(const std::string& data_dir, std::string_view stored) {
    if (!safe_name(stored)) return;
    std::error_code ec;
    fs::remove(photo_path(data_dir, stored), ec);
}

}  // namespace sabor::programme
