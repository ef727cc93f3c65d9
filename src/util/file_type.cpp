#include "util/file_type.hpp"

#include <magic.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <vector>

namespace sabor::util {

namespace {

// Loading the magic database takes milliseconds and a magic_t is not thread-safe: one per thread.
class magic_cookie {
public:
    magic_cookie() : m_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
        if (m_ == nullptr) throw std::runtime_error("libmagic: magic_open failed");
        if (magic_load(m_, nullptr) != 0) {
            const std::string why = magic_error(m_) != nullptr ? magic_error(m_) : "unknown error";
            magic_close(m_);
            throw std::runtime_error("libmagic: cannot load the database: " + why);
        }
    }
    ~magic_cookie() { magic_close(m_); }
    magic_cookie(const magic_cookie&) = delete;
    magic_cookie& operator=(const magic_cookie&) = delete;

    magic_t get() const { return m_; }

private:
    magic_t m_;
};

magic_t thread_magic() {
    thread_local magic_cookie cookie;
    return cookie.get();
}

struct known_kind {
    std::string_view mime;
    std::string_view extension;
    std::string_view label;
    bool photo;
};

constexpr std::array<known_kind, 11> k_kinds{{
    {"application/pdf", "pdf", "PDF", false},
    {"application/vnd.ms-powerpoint", "ppt", "PPT", false},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "PPTX", false},
    {"application/vnd.oasis.opendocument.presentation", "odp", "ODP", false},
    {"application/msword", "doc", "DOC", false},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX", false},
    {"application/vnd.ms-excel", "xls", "XLS", false},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX", false},
    {"application/zip", "zip", "ZIP", false},
    {"image/png", "png", "PNG", true},
    {"image/jpeg", "jpg", "JPEG", true},
}};

}  // namespace

bool known_type_name(std::string_view name) {
    for (const auto& k : k_kinds) {
        std::string label(k.label);
        for (auto& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == label || name == k.extension) return true;
    }
    return false;
}

namespace {

std::optional<file_kind> kind_for(std::string_view mime, file_use use) {
    for (const auto& k : k_kinds) {
        if (k.mime != mime || (use == file_use::photo && !k.photo)) continue;
        return file_kind{std::string(k.mime), std::string(k.extension), std::string(k.label)};
    }
    return std::nullopt;
}

// libmagic names an OLE2 (Compound File) Office document only when its summary information
// names the application or a root stream is called exactly "WordDocument", "Workbook" or
// "Book". PowerPoint's stream is "PowerPoint Document", so a .ppt without usable summary
// information (LibreOffice writes its own application name) comes back as one of these.
bool generic_ole(std::string_view mime) {
    return mime == "application/CDFV2" || mime == "application/x-ole-storage" || mime == "application/vnd.ms-office";
}

using read_at_fn = std::function<std::string(std::uint64_t offset, std::size_t size)>;

std::uint32_t u32_at(std::string_view s, std::size_t off) {
    if (off + 4 > s.size()) return 0xFFFFFFFF;
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[off])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[off + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[off + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[off + 3])) << 24;
}

// A Compound File (MS-CFB) read just far enough to list the streams at the top of the root
// storage. Every chain and tree walk is bounded: the file is hostile until proven otherwise.
class compound_file {
public:
    explicit compound_file(read_at_fn read) : read_(std::move(read)) {}

    // The Office kind named by the root's streams; nullopt when none or more than one.
    std::optional<std::string_view> office_mime() {
        const std::string header = read_(0, 512);
        if (header.size() < 512 || header.compare(0, 8, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") != 0) return std::nullopt;
        const unsigned shift = static_cast<unsigned char>(header[0x1E]);
        if (shift != 9 && shift != 12) return std::nullopt;
        sector_size_ = std::size_t{1} << shift;
        header_ = header;
        if (!read_directory_chain(u32_at(header_, 0x30))) return std::nullopt;

        std::optional<std::string_view> found;
        std::vector<std::uint32_t> pending{child_of_root()};
        std::size_t visited = 0;
        while (!pending.empty()) {
            const std::uint32_t id = pending.back();
            pending.pop_back();
            if (id == k_no_stream) continue;
            if (++visited > k_max_entries) return std::nullopt;  // a loop in the tree
            const std::string entry = directory_entry(id);
            if (entry.size() < 128) return std::nullopt;
            pending.push_back(u32_at(entry, 0x44));  // left sibling
            pending.push_back(u32_at(entry, 0x48));  // right sibling
            if (entry[0x42] != 2) continue;          // not a stream
            const auto mime = mime_for_stream(entry_name(entry));
            if (!mime) continue;
            if (found && *found != *mime) return std::nullopt;  // a Word and an Excel stream: refuse
            found = mime;
        }
        return found;
    }

private:
    static constexpr std::uint32_t k_no_stream = 0xFFFFFFFF;
    static constexpr std::uint32_t k_max_sector = 0xFFFFFFFA;
    static constexpr std::size_t k_max_dir_sectors = 4096;
    static constexpr std::size_t k_max_entries = 4096;  // a real root storage holds a dozen
    static constexpr std::size_t k_max_difat_sectors = 1024;  // files of several GB

    std::uint64_t sector_offset(std::uint32_t s) const { return (std::uint64_t{s} + 1) * sector_size_; }

    // The FAT sector with index `index`: the header's 109 DIFAT slots, then the DIFAT chain,
    // read once as far as needed.
    std::uint32_t fat_sector(std::size_t index) {
        if (fat_sectors_.empty()) {
            for (std::size_t k = 0; k < 109; ++k) fat_sectors_.push_back(u32_at(header_, 0x4C + k * 4));
            next_difat_ = u32_at(header_, 0x44);
        }
        const std::size_t per_sector = sector_size_ / 4 - 1;  // the last slot links to the next
        while (index >= fat_sectors_.size()) {
            if (next_difat_ > k_max_sector || ++difat_sectors_ > k_max_difat_sectors) return k_no_stream;
            const std::string difat = read_(sector_offset(next_difat_), sector_size_);
            if (difat.size() < sector_size_) return k_no_stream;
            for (std::size_t k = 0; k < per_sector; ++k) fat_sectors_.push_back(u32_at(difat, k * 4));
            next_difat_ = u32_at(difat, per_sector * 4);
        }
        return fat_sectors_[index];
    }

    std::uint32_t next_sector(std::uint32_t s) {
        const std::size_t per_sector = sector_size_ / 4;
        const std::uint32_t fat = fat_sector(s / per_sector);
        if (fat > k_max_sector) return k_no_stream;
        const std::string entry = read_(sector_offset(fat) + (s % per_sector) * 4, 4);
        return u32_at(entry, 0);
    }

    bool read_directory_chain(std::uint32_t s) {
        while (s <= k_max_sector) {
            if (dir_sectors_.size() >= k_max_dir_sectors) return false;
            dir_sectors_.push_back(s);
            s = next_sector(s);
        }
        return !dir_sectors_.empty();
    }

    std::string directory_entry(std::uint32_t id) {
        const std::size_t per_sector = sector_size_ / 128;
        if (id / per_sector >= dir_sectors_.size()) return {};
        return read_(sector_offset(dir_sectors_[id / per_sector]) + (id % per_sector) * 128, 128);
    }

    std::uint32_t child_of_root() {
        const std::string root = directory_entry(0);
        if (root.size() < 128 || root[0x42] != 5) return k_no_stream;
        return u32_at(root, 0x4C);
    }

    // Names are UTF-16LE; the ones we look for are ASCII, so anything else is "no match".
    static std::string entry_name(std::string_view entry) {
        const std::size_t bytes = static_cast<unsigned char>(entry[0x40]) | static_cast<unsigned char>(entry[0x41]) << 8;
        std::string name;
        for (std::size_t i = 0; i + 1 < bytes && i + 1 < 64; i += 2) {
            const char lo = entry[i];
            if (entry[i + 1] != 0 || static_cast<unsigned char>(lo) >= 0x80) return {};
            if (lo == 0) break;
            name += lo;
        }
        return name;
    }

    static std::optional<std::string_view> mime_for_stream(std::string_view name) {
        if (name == "WordDocument") return "application/msword";
        if (name == "PowerPoint Document") return "application/vnd.ms-powerpoint";
        if (name == "Workbook" || name == "Book") return "application/vnd.ms-excel";
        return std::nullopt;
    }

    read_at_fn read_;
    std::string header_;
    std::size_t sector_size_ = 512;
    std::vector<std::uint32_t> dir_sectors_;
    std::vector<std::uint32_t> fat_sectors_;
    std::uint32_t next_difat_ = k_no_stream;
    std::size_t difat_sectors_ = 0;
};

std::optional<file_kind> classify(std::string_view mime, const read_at_fn& read, file_use use) {
    if (use == file_use::material && generic_ole(mime)) {
        const auto office = compound_file(read).office_mime();
        return office ? kind_for(*office, use) : std::nullopt;
    }
    return kind_for(mime, use);
}

}  // namespace

std::optional<file_kind> detect_file(const std::filesystem::path& p, file_use use) {
    const magic_t m = thread_magic();
    const char* mime = magic_file(m, p.c_str());
    if (mime == nullptr) {
        const char* why = magic_error(m);
        throw std::runtime_error("libmagic: " + p.string() + ": " + (why != nullptr ? why : "unknown error"));
    }
    std::ifstream in;  // opened only for the rare look inside an OLE file
    const auto read = [&](std::uint64_t offset, std::size_t size) {
        if (!in.is_open()) in.open(p, std::ios::binary);
        in.clear();
        in.seekg(static_cast<std::streamoff>(offset));
        std::string out(size, '\0');
        in.read(out.data(), static_cast<std::streamsize>(size));
        out.resize(static_cast<std::size_t>(in.gcount()));
        return out;
    };
    return classify(mime, read, use);
}

std::optional<file_kind> detect_buffer(std::string_view bytes, file_use use) {
    const magic_t m = thread_magic();
    const char* mime = magic_buffer(m, bytes.data(), bytes.size());
    if (mime == nullptr) {
        const char* why = magic_error(m);
        throw std::runtime_error(std::string("libmagic: ") + (why != nullptr ? why : "unknown error"));
    }
    const auto read = [bytes](std::uint64_t offset, std::size_t size) {
        if (offset >= bytes.size()) return std::string();
        return std::string(bytes.substr(static_cast<std::size_t>(offset), size));
    };
    return classify(mime, read, use);
}

}  // namespace sabor::util
