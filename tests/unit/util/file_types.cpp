#include "util/file_type.hpp"
#include "util/utf8.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace sabor::util;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

// A folder of its own for each test, removed afterwards.
class temp_dir {
public:
    temp_dir() {
        static int counter = 0;
        path_ = fs::temp_directory_path() / ("sabor-materials-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    fs::path write(const std::string& name, std::string_view bytes) const {
        const fs::path p = path_ / name;
        std::ofstream out(p, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return p;
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

void put16(std::string& s, std::uint32_t v) {
    s += static_cast<char>(v & 0xFF);
    s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
    put16(s, v & 0xFFFF);
    put16(s, v >> 16);
}

std::uint32_t crc32(std::string_view data) {
    std::uint32_t crc = 0xFFFFFFFF;
    for (char ch : data) {
        crc ^= static_cast<unsigned char>(ch);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320 & (0U - (crc & 1)));
    }
    return ~crc;
}

// A ZIP archive with stored (uncompressed) entries, in the given order.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out;
    std::string central;
    for (const auto& [name, data] : entries) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        const std::uint32_t crc = crc32(data);
        const auto size = static_cast<std::uint32_t>(data.size());
        put32(out, 0x04034b50);
        put16(out, 20);
        put16(out, 0);  // flags
        put16(out, 0);  // stored
        put16(out, 0);  // time
        put16(out, 0x21);  // 1980-01-01
        put32(out, crc);
        put32(out, size);
        put32(out, size);
        put16(out, static_cast<std::uint32_t>(name.size()));
        put16(out, 0);
        out += name;
        out += data;

        put32(central, 0x02014b50);
        put16(central, 20);
        put16(central, 20);
        put16(central, 0);
        put16(central, 0);
        put16(central, 0);
        put16(central, 0x21);
        put32(central, crc);
        put32(central, size);
        put32(central, size);
        put16(central, static_cast<std::uint32_t>(name.size()));
        put16(central, 0);  // extra
        put16(central, 0);  // comment
        put16(central, 0);  // disk
        put16(central, 0);  // internal attributes
        put32(central, 0);  // external attributes
        put32(central, offset);
        central += name;
    }
    const auto central_offset = static_cast<std::uint32_t>(out.size());
    out += central;
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint32_t>(entries.size()));
    put16(out, static_cast<std::uint32_t>(entries.size()));
    put32(out, static_cast<std::uint32_t>(central.size()));
    put32(out, central_offset);
    put16(out, 0);
    return out;
}

const std::string k_content_types =
    R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)";

std::string make_ooxml(const std::string& main_part) {
    return make_zip({{"[Content_Types].xml", k_content_types}, {"_rels/.rels", "<Relationships/>"}, {main_part, "<x/>"}});
}

constexpr std::uint32_t k_free = 0xFFFFFFFF;
constexpr std::uint32_t k_end_of_chain = 0xFFFFFFFE;

struct cfb_entry {
    std::string name;  // ASCII
    int type;          // 1 storage, 2 stream, 5 root
    std::uint32_t left = k_free;
    std::uint32_t right = k_free;
    std::uint32_t child = k_free;
};

// A minimal Compound File (MS-CFB v3): header, one FAT sector, one directory sector of up to
// four entries, streams empty. `dir_next` is the FAT entry of the directory sector.
std::string make_cfb(const std::vector<cfb_entry>& entries, std::uint32_t dir_next = k_end_of_chain) {
    std::string h = from_hex("D0CF11E0A1B11AE1") + std::string(16, '\0');
    put16(h, 0x3E);
    put16(h, 3);
    put16(h, 0xFFFE);
    put16(h, 9);   // 512-byte sectors
    put16(h, 6);   // 64-byte mini sectors
    h += std::string(6, '\0');
    put32(h, 0);   // directory sectors (v3: 0)
    put32(h, 1);   // FAT sectors
    put32(h, 1);   // first directory sector
    put32(h, 0);   // transaction
    put32(h, 4096);
    put32(h, k_end_of_chain);  // mini FAT
    put32(h, 0);
    put32(h, k_end_of_chain);  // DIFAT
    put32(h, 0);
    put32(h, 0);  // the FAT is sector 0
    for (int i = 1; i < 109; ++i) put32(h, k_free);
    REQUIRE(h.size() == 512);

    std::string fat;
    put32(fat, 0xFFFFFFFD);  // sector 0 is FAT
    put32(fat, dir_next);    // sector 1 is the directory
    for (int i = 2; i < 128; ++i) put32(fat, k_free);

    std::string dir;
    REQUIRE(entries.size() <= 4);
    for (std::size_t i = 0; i < 4; ++i) {
        std::string e(128, '\0');
        if (i < entries.size()) {
            const cfb_entry& en = entries[i];
            for (std::size_t k = 0; k < en.name.size(); ++k) e[k * 2] = en.name[k];
            e[0x40] = static_cast<char>((en.name.size() + 1) * 2);
            e[0x42] = static_cast<char>(en.type);
            e[0x43] = 1;  // black
            std::string links;
            put32(links, en.left);
            put32(links, en.right);
            put32(links, en.child);
            e.replace(0x44, 12, links);
            std::string start;
            put32(start, k_end_of_chain);
            e.replace(0x74, 4, start);
        } else {
            std::string links;
            put32(links, k_free);
            put32(links, k_free);
            put32(links, k_free);
            e.replace(0x44, 12, links);
        }
        dir += e;
    }
    return h + fat + dir;
}

std::string ole_with_root_stream(const std::string& name) {
    return make_cfb({{"Root Entry", 5, k_free, k_free, 1}, {name, 2}});
}

// A 1x1 grey PNG and a 1x1 grey baseline JPEG, both checked with libpng and libjpeg.
const std::string k_png = from_hex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000a49444154789c63680000008200"
    "8177cd72b60000000049454e44ae426082");
const std::string k_jpeg = from_hex(
    "ffd8ffe000104a46494600010100000100010000ffdb00430001010101010101010101010101010101010101010101010101"
    "010101010101010101010101010101010101010101010101010101010101010101010101010101ffc0000b0800010001010111"
    "00ffc40014000100000000000000000000000000000000ffc40014100100000000000000000000000000000000ffda000801"
    "0100003f003fffd9");

const std::string k_pdf =
    "%PDF-1.4\n"
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    "trailer << /Root 1 0 R >>\n"
    "%%EOF\n";

std::string extension_of(const std::optional<file_kind>& k) { return k ? k->extension : "(refused)"; }

// Both entry points must agree.
std::string detect_both(const temp_dir& dir, const std::string& name, const std::string& bytes, file_use use = file_use::material) {
    const std::string by_file = extension_of(detect_file(dir.write(name, bytes), use));
    const std::string by_buffer = extension_of(detect_buffer(bytes, use));
    CHECK(by_file == by_buffer);
    return by_file;
}

}  // namespace

TEST_CASE("detect_file recognises the allowed kinds by content", "[file_type]") {
    const temp_dir dir;
    CHECK(detect_both(dir, "a", k_pdf) == "pdf");
    CHECK(detect_both(dir, "b", k_png) == "png");
    CHECK(detect_both(dir, "c", k_jpeg) == "jpg");
    CHECK(detect_both(dir, "d", make_zip({{"hello.txt", "hi"}, {"dir/other.txt", "there"}})) == "zip");
    CHECK(detect_both(dir, "e", make_ooxml("word/document.xml")) == "docx");
    CHECK(detect_both(dir, "f", make_ooxml("ppt/presentation.xml")) == "pptx");
    CHECK(detect_both(dir, "g", make_ooxml("xl/workbook.xml")) == "xlsx");
    CHECK(detect_both(dir, "h", make_zip({{"mimetype", "application/vnd.oasis.opendocument.presentation"},
                                          {"content.xml", "<office:document-content/>"}})) == "odp");
    CHECK(detect_both(dir, "i", ole_with_root_stream("WordDocument")) == "doc");
    CHECK(detect_both(dir, "j", ole_with_root_stream("Workbook")) == "xls");
    // libmagic itself says only "OLE storage" here; our look at the root streams decides.
    CHECK(detect_both(dir, "k", ole_with_root_stream("PowerPoint Document")) == "ppt");

    const auto pdf = detect_buffer(k_pdf);
    REQUIRE(pdf);
    CHECK(pdf->mime == "application/pdf");
    CHECK(pdf->label == "PDF");
    const auto pptx = detect_buffer(make_ooxml("ppt/presentation.xml"));
    REQUIRE(pptx);
    CHECK(pptx->mime == "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    CHECK(pptx->label == "PPTX");
}

TEST_CASE("detect_file never looks at the name", "[file_type]") {
    const temp_dir dir;
    CHECK(detect_both(dir, "x.pdf", "Just some text that pretends to be a PDF.\n") == "(refused)");
    CHECK(detect_both(dir, "photo.png", k_pdf) == "pdf");
    CHECK(detect_both(dir, "no-extension", k_jpeg) == "jpg");
}

TEST_CASE("detect_file refuses everything else", "[file_type][hostile]") {
    const temp_dir dir;
    CHECK(detect_both(dir, "empty", "") == "(refused)");
    CHECK(detect_both(dir, "text.txt", "Програма на събитието\nДен 1: откриване\n") == "(refused)");
    CHECK(detect_both(dir, "page.html", "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n") ==
          "(refused)");
    CHECK(detect_both(dir, "run.sh", "#!/bin/sh\nrm -rf /\n") == "(refused)");
    CHECK(detect_both(dir, "image.svg", R"(<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>)") ==
          "(refused)");
    CHECK(detect_both(dir, "book.epub", make_zip({{"mimetype", "application/epub+zip"}})) == "(refused)");
    CHECK(detect_both(dir, "doc.odt", make_zip({{"mimetype", "application/vnd.oasis.opendocument.text"}})) == "(refused)");

    std::ifstream elf_in("/bin/true", std::ios::binary);
    const std::string elf((std::istreambuf_iterator<char>(elf_in)), std::istreambuf_iterator<char>());
    REQUIRE(elf.size() > 4);
    CHECK(detect_buffer(elf) == std::nullopt);
    CHECK(detect_file("/bin/true") == std::nullopt);

    CHECK(detect_file(dir.path()) == std::nullopt);  // a directory
    fs::create_symlink(dir.write("real.pdf", k_pdf), dir.path() / "link.pdf");
    CHECK(detect_file(dir.path() / "link.pdf") == std::nullopt);  // symlinks are not followed
    CHECK_THROWS_AS(detect_file(dir.path() / "missing"), std::runtime_error);
}

TEST_CASE("detect_file decides OLE files only from the root's streams", "[file_type][hostile]") {
    const temp_dir dir;
    CHECK(detect_both(dir, "a", ole_with_root_stream("Foo")) == "(refused)");
    // The stream is found anywhere in the root's tree of siblings.
    CHECK(detect_both(dir, "b", make_cfb({{"Root Entry", 5, k_free, k_free, 1},
                                          {"PowerPoint Document", 2, 2, k_free, k_free},
                                          {"Pictures", 2}})) == "ppt");
    CHECK(detect_both(dir, "c", make_cfb({{"Root Entry", 5, k_free, k_free, 1},
                                          {"Current User", 2, k_free, 2, k_free},
                                          {"PowerPoint Document", 2}})) == "ppt");
    // A presentation stream inside an embedded object is not the document's.
    CHECK(detect_both(dir, "d", make_cfb({{"Root Entry", 5, k_free, k_free, 1},
                                          {"ObjectPool", 1, k_free, k_free, 2},
                                          {"PowerPoint Document", 2}})) == "(refused)");
    // Loops: a sibling that is itself, a directory chain that never ends.
    CHECK(detect_both(dir, "e", make_cfb({{"Root Entry", 5, k_free, k_free, 1}, {"Foo", 2, 1, 1, k_free}})) == "(refused)");
    CHECK(detect_both(dir, "f", make_cfb({{"Root Entry", 5, k_free, k_free, 1}, {"Foo", 2}}, 1)) == "(refused)");
    CHECK(detect_both(dir, "i", ole_with_root_stream("PowerPoint Documents")) == "(refused)");
    // Cut short.
    CHECK(detect_both(dir, "g", ole_with_root_stream("PowerPoint Document").substr(0, 700)) == "(refused)");
    CHECK(detect_both(dir, "h", ole_with_root_stream("PowerPoint Document").substr(0, 512)) == "(refused)");
}

TEST_CASE("detect_file for photos allows PNG and JPEG only", "[file_type]") {
    const temp_dir dir;
    CHECK(detect_both(dir, "a", k_png, file_use::photo) == "png");
    CHECK(detect_both(dir, "b", k_jpeg, file_use::photo) == "jpg");
    CHECK(detect_both(dir, "c", k_pdf, file_use::photo) == "(refused)");
    CHECK(detect_both(dir, "d", make_zip({{"a.png", k_png}}), file_use::photo) == "(refused)");
    CHECK(detect_both(dir, "e", ole_with_root_stream("PowerPoint Document"), file_use::photo) == "(refused)");
}

TEST_CASE("detect_buffer works from several threads at once", "[file_type]") {
    std::array<std::string, 4> results;
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < results.size(); ++i) {
        threads.emplace_back([&results, i] {
            for (int k = 0; k < 5; ++k) results[i] += extension_of(detect_buffer(i % 2 == 0 ? k_png : k_pdf));
        });
    }
    for (auto& t : threads) t.join();
    CHECK(results[0] == "pngpngpngpngpng");
    CHECK(results[1] == "pdfpdfpdfpdfpdf");
    CHECK(results[2] == results[0]);
    CHECK(results[3] == results[1]);
}
