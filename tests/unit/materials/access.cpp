// Access keys, release times, download links and the streamed ZIP, read back with libzip.
#include "materials/access.hpp"
#include "materials/archive.hpp"
#include "materials/service.hpp"
#include "util/crypto.hpp"

#include <catch2/catch.hpp>

#include <zip.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace sabor::materials;
namespace fs = std::filesystem;

namespace {

struct scratch {
    fs::path dir;
    scratch() {
        static int n = 0;
        dir = fs::temp_directory_path() / ("sabor-zip-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        fs::create_directories(dir);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    fs::path write(const std::string& name, const std::string& bytes) {
        auto p = dir / name;
        std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return p;
    }
};

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(gen());
    return s;
}

// Everything the source makes, pulled through buffers of an odd size like the server's.
std::string drain(zip_stream& z) {
    std::string out;
    char buf[70001];
    for (;;) {
        auto n = z.read(buf, sizeof buf);
        if (n == 0) return out;
        out.append(buf, n);
    }
}

}  // namespace

TEST_CASE("access keys name one registration and cannot be forged", "[materials]") {
    const std::string secret = "0123456789abcdef0123456789abcdef";
    auto key = access_key(secret, 42);
    CHECK(key.rfind("42-", 0) == 0);
    CHECK(verify_access_key(secret, key) == 42);
    CHECK_FALSE(verify_access_key("another secret, another server!!", key));
    auto other = key;
    other[0] = '4';
    other[1] = '3';
    CHECK_FALSE(verify_access_key(secret, other));  // the id swapped, the MAC kept
    auto flipped = key;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    CHECK_FALSE(verify_access_key(secret, flipped));
    for (std::string bad : std::vector<std::string>{"", "-", "42", "42-", "-abc", "x-abc", "0-abc", "42-" + std::string(100, 'a')})
        CHECK_FALSE(verify_access_key(secret, bad));
    // Different from the check-in code of the same registration.
    CHECK(key.substr(3) != sabor::util::hmac_hex(secret, "checkin:42").substr(0, 32));
}

TEST_CASE("the release time: at once, at the event's start, or a set time", "[materials]") {
    sabor::events::event e;
    e.starts_at = 1'900'000'000;
    release_setting s;
    CHECK(release_time(s, e) == 0);
    s.release_at = "event_start";
    CHECK(release_time(s, e) == 1'900'000'000);
    s.release_at = "2031-09-11T15:00:00Z";
    CHECK(release_time(s, e) == 1946905200);
}

TEST_CASE("names in the archive are made unique", "[materials]") {
    auto out = unique_names({{"Доклад.pdf", {}, 0}, {"Доклад.pdf", {}, 0}, {"Доклад (2).pdf", {}, 0}, {"README", {}, 0},
                             {"README", {}, 0}, {".pdf", {}, 0}, {".pdf", {}, 0}});
    std::vector<std::string> names;
    for (auto& m : out) names.push_back(m.name);
    CHECK(names == std::vector<std::string>{"Доклад.pdf", "Доклад (2).pdf", "Доклад (2) (2).pdf", "README", "README (2)",
                                            ".pdf", ".pdf (2)"});
}

TEST_CASE("the ZIP made piece by piece opens with libzip, stored, UTF-8 names", "[materials]") {
    scratch s;
    std::vector<std::pair<std::string, std::string>> files{
        {"Презентация – Русе.pdf", random_bytes(3 * 1024 * 1024 + 17, 1)},
        {"празен.txt", ""},
        {"slides.pptx", random_bytes(65536, 2)},
        {"Презентация – Русе.pdf", random_bytes(1000, 3)},
    };
    std::vector<zip_member> members;
    int i = 0;
    for (auto& [name, bytes] : files) members.push_back({name, s.write("f" + std::to_string(i++), bytes), 1'900'000'000});
    zip_stream source(members);
    auto archive = drain(source);
    CHECK(source.read(nullptr, 0) == 0);

    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(archive.data(), archive.size(), 0, &err);
    REQUIRE(src);
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (!z) zip_source_free(src);
    INFO(zip_error_strerror(&err));
    REQUIRE(z);
    REQUIRE(zip_get_num_entries(z, 0) == 4);
    std::vector<std::string> want_names{"Презентация – Русе.pdf", "празен.txt", "slides.pptx", "Презентация – Русе (2).pdf"};
    for (zip_int64_t k = 0; k < 4; ++k) {
        zip_stat_t st;
        REQUIRE(zip_stat_index(z, static_cast<zip_uint64_t>(k), ZIP_FL_ENC_STRICT, &st) == 0);
        CHECK(std::string(st.name) == want_names[static_cast<std::size_t>(k)]);
        CHECK(st.comp_method == ZIP_CM_STORE);
        const auto& want = files[static_cast<std::size_t>(k)].second;
        CHECK(st.size == want.size());
        std::string got(want.size(), '\0');
        zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(k), 0);
        REQUIRE(f);
        CHECK(zip_fread(f, got.data(), got.size()) == static_cast<zip_int64_t>(want.size()));
        zip_fclose(f);
        CHECK(got == want);
    }
    zip_discard(z);
}

TEST_CASE("a member that vanished makes the source throw", "[materials]") {
    scratch s;
    auto p = s.write("a", "bytes");
    zip_stream source({{"a.pdf", p, 0}, {"b.pdf", s.dir / "missing", 0}});
    char buf[4096];
    CHECK_THROWS_AS([&] {
        while (source.read(buf, sizeof buf) > 0) {
        }
    }(), std::runtime_error);
}

TEST_CASE("download links: the name percent-encoded, the key added; sizes by language", "[materials]") {
    material m;
    m.id = 7;
    m.filename = "Презентация 1.pdf";
    CHECK(download_path(m) == "/materials/7/%D0%9F%D1%80%D0%B5%D0%B7%D0%B5%D0%BD%D1%82%D0%B0%D1%86%D0%B8%D1%8F%201.pdf");
    m.filename = "a/b?c";
    CHECK(download_path(m, "3-abc") == "/materials/7/a%2Fb%3Fc?key=3-abc");
    CHECK(size_label(850, "bg") == "850 Б");
    CHECK(size_label(2411724, "bg") == "2,3 МБ");
    CHECK(size_label(2411724, "en") == "2.3 MB");
}
