// Speakers' photos: PNG or JPEG recognised by content, at most max_photo_bytes, kept under
// DATA_DIR/photos by a generated name (never the uploaded one).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::programme {

inline constexpr std::size_t max_photo_bytes = 2 * 1024 * 1024;

struct saved_photo {
    std::string stored;    // the generated file name, e.g. "Xb3...Q.png"
    std::string error;     // catalog key when refused: empty, too large, not PNG/JPEG
};

// Checks the bytes and writes them (to a temporary name, then renamed): on success
// `stored` is set; on refusal `error` is, and nothing is left behind.
saved_photo save_photo(const std::string& data_dir, std::string_view bytes);
std::string photo_path(const std::string& data_dir, std::string_view stored);
std::string photo_content_type(std::string_view stored);
// Removes a stored photo; a missing file or an unsafe name is ignored.
void remove_photo(const std::string& data_dir, std::string_view stored);

}  // namespace sabor::programme
