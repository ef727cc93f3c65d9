// What an uploaded file is, judged by its bytes through libmagic. The name and the type the
// browser claimed are never consulted: both are whatever the uploader wants them to be.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::util {

struct file_kind {
    std::string mime;       // "application/pdf"
    std::string extension;  // "pdf", without the dot
    std::string label;      // "PDF": a format name, the same in every language
};

enum class file_use {
    material,  // PDF, PPT, PPTX, ODP, DOC, DOCX, XLS, XLSX, ZIP, PNG, JPEG
    photo,     // speakers' photos: PNG and JPEG only
};

// nullopt when the content is not one of the kinds `use` allows (empty files, text, HTML,
// scripts, executables, symlinks, directories, other archives...). Throws std::runtime_error
// when libmagic cannot load its database or the file cannot be read.
std::optional<file_kind> detect_file(const std::filesystem::path& p, file_use use = file_use::material);
std::optional<file_kind> detect_buffer(std::string_view bytes, file_use use = file_use::material);
// Whether `name` names a kind sabor knows ("pdf", "jpeg", "jpg": a lower-case label or extension),
// so that [uploads] allowed_types can be checked at start.
bool known_type_name(std::string_view name);

}  // namespace sabor::util
