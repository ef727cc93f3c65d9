#include "http/multipart.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace sabor::http;
using namespace std::string_literals;

namespace {

// Everything the handlers saw, flattened into one string so chunkings can be compared.
struct outcome {
    std::string log;
    multipart_error error = multipart_error::none;
    bool done = false;
    bool finished = false;
    std::vector<part_info> parts;
    std::vector<std::string> data;  // per part
    std::size_t pieces = 0;
};

// Feeds `body` in chunks whose sizes cycle through `sizes` (empty: one chunk).
outcome run(const std::string& boundary, std::string_view body, const std::vector<std::size_t>& sizes = {},
            multipart_limits limits = {}) {
    outcome out;
    multipart_parser::handlers h;
    h.on_part_begin = [&](const part_info& p) {
        out.parts.push_back(p);
        out.data.emplace_back();
        out.log += "\x01" "begin " + p.name + "|" + p.filename + "|" + (p.has_filename ? "1" : "0") + "|" + p.content_type + "\x02";
        return true;
    };
    h.on_part_data = [&](std::string_view d) {
        REQUIRE_FALSE(d.empty());
        out.data.back() += d;
        out.log += d;
        ++out.pieces;
        return true;
    };
    h.on_part_end = [&] {
        out.log += "\x01" "end\x02";
        return true;
    };
    multipart_parser p(boundary, h, limits);
    std::size_t pos = 0;
    std::size_t k = 0;
    bool ok = true;
    while (pos < body.size()) {
        const std::size_t n = sizes.empty() ? body.size() : std::max<std::size_t>(1, sizes[k++ % sizes.size()]);
        const bool fed = p.feed(body.substr(pos, n));
        if (!ok) CHECK_FALSE(fed);  // once failed, always failed
        ok = ok && fed;
        pos += n;
    }
    out.finished = p.finish();
    out.error = p.error();
    out.done = p.done();
    return out;
}

bool same(const outcome& a, const outcome& b) {
    return a.log == b.log && a.error == b.error && a.done == b.done && a.finished == b.finished;
}

// The outcome of one whole chunk must not change with any other way of cutting the body.
void check_all_chunkings(const std::string& boundary, const std::string& body, multipart_limits limits = {}) {
    const outcome whole = run(boundary, body, {}, limits);
    for (std::size_t size = 1; size <= 9; ++size) {
        INFO("chunk size " << size);
        CHECK(same(run(boundary, body, {size}, limits), whole));
    }
    CHECK(same(run(boundary, body, {1, 5, 2, 13, 3, 70, 4}, limits), whole));
    for (std::size_t cut = 1; cut < body.size(); ++cut) {
        INFO("split at " << cut);
        CHECK(same(run(boundary, body, {cut, body.size()}, limits), whole));
    }
}

const std::string k_b = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string field(std::string_view name, std::string_view value) {
    return "--" + k_b + "\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" +
           std::string(value) + "\r\n";
}

std::string file_part(std::string_view filename, std::string_view type, std::string_view content) {
    return "--" + k_b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + std::string(filename) +
           "\"\r\nContent-Type: " + std::string(type) + "\r\n\r\n" + std::string(content) + "\r\n";
}

std::string closing() { return "--" + k_b + "--\r\n"; }

}  // namespace

TEST_CASE("boundary_from_content_type reads the boundary parameter", "[multipart]") {
    CHECK(boundary_from_content_type("multipart/form-data; boundary=" + k_b) == k_b);
    CHECK(boundary_from_content_type("Multipart/Form-Data;BOUNDARY=abc") == "abc");
    CHECK(boundary_from_content_type("multipart/form-data; charset=utf-8; boundary=\"a b:c\"") == "a b:c");
    CHECK(boundary_from_content_type("multipart/form-data ; boundary = abc ; x=y") == "abc");
    CHECK(boundary_from_content_type("multipart/form-data; boundary=\"'()+_,-./:=?\"") == "'()+_,-./:=?");
    CHECK(boundary_from_content_type("multipart/form-data; boundary=" + std::string(70, 'x')) == std::string(70, 'x'));
}

TEST_CASE("boundary_from_content_type refuses what RFC 2046 does not allow", "[multipart][hostile]") {
    CHECK_FALSE(boundary_from_content_type(""));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data"));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary="));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"\""));
    CHECK_FALSE(boundary_from_content_type("multipart/mixed; boundary=abc"));
    CHECK_FALSE(boundary_from_content_type("application/x-www-form-urlencoded"));
    CHECK_FALSE(boundary_from_content_type("text/plain; boundary=abc"));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=" + std::string(71, 'x')));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=a@b"));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"a\\\"b\""));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"abc \""));  // may not end in a space
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"abc"));     // unterminated
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=abc def"));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=a\r\nb"));
    CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=abc; boundary=def"));
}

TEST_CASE("multipart parses fields and a file", "[multipart]") {
    const std::string body = field("title", "Доклад") + file_part("slides.pdf", "application/pdf", "%PDF-1.4\r\nbinary\0data"s) +
                             field("empty", "") + closing();
    const outcome r = run(k_b, body);
    CHECK(r.finished);
    CHECK(r.done);
    CHECK(r.error == multipart_error::none);
    REQUIRE(r.parts.size() == 3);
    CHECK(r.parts[0].name == "title");
    CHECK_FALSE(r.parts[0].has_filename);
    CHECK(r.data[0] == "Доклад");
    CHECK(r.parts[1].name == "file");
    CHECK(r.parts[1].filename == "slides.pdf");
    CHECK(r.parts[1].has_filename);
    CHECK(r.parts[1].content_type == "application/pdf");
    CHECK(r.data[1] == "%PDF-1.4\r\nbinary\0data"s);
    CHECK(r.parts[2].name == "empty");
    CHECK(r.data[2].empty());
}

TEST_CASE("multipart keeps binary data intact, NUL bytes included", "[multipart]") {
    std::string content;
    for (int i = 0; i < 256; ++i) content += static_cast<char>(i);
    // Look-alikes, and a CR right before the real delimiter.
    content += "\r\n--" + k_b.substr(0, 10) + "\r\n-\r\n--\r\r\n--" + k_b.substr(0, k_b.size() - 1) + "\r";
    const std::string body = file_part("x.bin", "application/octet-stream", content) + closing();
    const outcome r = run(k_b, body);
    CHECK(r.finished);
    REQUIRE(r.data.size() == 1);
    CHECK(r.data[0] == content);
}

TEST_CASE("multipart gives the same result for every way of cutting the body", "[multipart]") {
    SECTION("ordinary form") {
        check_all_chunkings(k_b, field("a", "1") + file_part("f.txt", "text/plain", "hello\r\nworld") + closing());
    }
    SECTION("boundary look-alikes in the data") {
        const std::string tricky = "\r\n--" + k_b.substr(0, k_b.size() - 1) + "!\r\r\n-\r\n--" + k_b.substr(0, 5) +
                                   "\r\n\r\n--" + k_b + "x";
        // The last look-alike is a real delimiter followed by 'x': an error, found at the same place every time.
        check_all_chunkings(k_b, file_part("t", "a/b", tricky.substr(0, tricky.size() - k_b.size() - 5)) + closing());
        check_all_chunkings(k_b, file_part("t", "a/b", tricky));
    }
    SECTION("delimiter without CRLF before it is data") {
        check_all_chunkings(k_b, file_part("t", "a/b", "--" + k_b + "\r\n") + closing());
    }
    SECTION("preamble, padding, bare LF headers, epilogue") {
        check_all_chunkings(k_b, "preamble\r\n\r\n--" + k_b + " \t \r\ncontent-disposition: form-data; name=x\n\nv\r\n--" + k_b +
                                     "--  \r\nepilogue --" + k_b + "\r\n");
    }
    SECTION("errors are found at the same place") {
        check_all_chunkings(k_b, field("a", "1") + "--" + k_b + "\r\nBroken header\r\n\r\n" + closing());
        check_all_chunkings(k_b, field("a", "1") + field("b", "2") + field("c", "3"), {.max_parts = 2});
        check_all_chunkings(k_b, field("a", "1") + "--" + k_b + "\r\nX-Long: " + std::string(200, 'x') + "\r\n",
                            {.max_header_bytes = 100});
        check_all_chunkings(k_b, std::string(300, 'p') + field("a", "1") + closing(), {.max_preamble_bytes = 100});
        check_all_chunkings(k_b, field("a", "truncated"));
    }
}

TEST_CASE("multipart hands data on as slices of the fed chunk, while it arrives", "[multipart]") {
    const std::string head = "--" + k_b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n";
    const std::string block(64 * 1024, 'z');
    std::size_t total = 0;
    std::size_t pieces = 0;
    bool inside = true;
    const char* chunk_begin = nullptr;
    const char* chunk_end = nullptr;
    multipart_parser::handlers h;
    h.on_part_data = [&](std::string_view d) {
        total += d.size();
        ++pieces;
        inside = inside && d.data() >= chunk_begin && d.data() + d.size() <= chunk_end;
        return true;
    };
    multipart_parser p(k_b, h);
    REQUIRE(p.feed(head));
    for (int i = 0; i < 128; ++i) {  // 8 MiB
        chunk_begin = block.data();
        chunk_end = block.data() + block.size();
        REQUIRE(p.feed(block));
        CHECK(total == block.size() * static_cast<std::size_t>(i + 1));  // nothing held back
    }
    CHECK(inside);
    CHECK(pieces == 128);
    REQUIRE(p.feed("\r\n--" + k_b + "--"));
    CHECK(p.finish());
    CHECK(total == 128 * block.size());
}

TEST_CASE("multipart reads Content-Disposition and Content-Type", "[multipart]") {
    auto single = [](const std::string& headers) {
        const outcome r = run(k_b, "--" + k_b + "\r\n" + headers + "\r\n\r\ndata\r\n" + closing());
        INFO(headers);
        REQUIRE(r.finished);
        REQUIRE(r.parts.size() == 1);
        return r.parts[0];
    };
    SECTION("header names in any case, values trimmed") {
        const part_info p = single("CONTENT-DISPOSITION:   form-data; NAME=\"a\"  \r\ncontent-TYPE:  image/png ");
        CHECK(p.name == "a");
        CHECK(p.content_type == "image/png");
        CHECK_FALSE(p.has_filename);
    }
    SECTION("backslash escapes in quoted strings") {
        CHECK(single(R"(Content-Disposition: form-data; name="f"; filename="a\"b\\c.pdf")").filename == "a\"b\\c.pdf");
        CHECK(single(R"(Content-Disposition: form-data; name="f"; filename="semi;colon=.pdf")").filename == "semi;colon=.pdf");
    }
    SECTION("an unescaped Windows path stays a path") {
        CHECK(single(R"(Content-Disposition: form-data; name="f"; filename="C:\Users\Мария\Презентация.pptx")").filename ==
              R"(C:\Users\Мария\Презентация.pptx)");
    }
    SECTION("raw UTF-8 file names") {
        CHECK(single("Content-Disposition: form-data; name=\"f\"; filename=\"Презентация – Община Русе.pdf\"").filename ==
              "Презентация – Община Русе.pdf");
    }
    SECTION("filename* is preferred") {
        const part_info p = single(
            "Content-Disposition: form-data; name=\"f\"; filename=\"fallback.pdf\"; filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BC%D0%B5%D1%80.pdf");
        CHECK(p.filename == "Пример.pdf");
        CHECK(p.has_filename);
        CHECK(single("Content-Disposition: form-data; filename*=utf-8'bg'%D0%AF.pdf; name=f").filename == "Я.pdf");
        CHECK(single("Content-Disposition: form-data; name=f; filename*=\"UTF-8''a%20b.pdf\"").filename == "a b.pdf");
    }
    SECTION("an undecodable filename* falls back to filename") {
        CHECK(single("Content-Disposition: form-data; name=f; filename=ok.pdf; filename*=UTF-8''%zz.pdf").filename == "ok.pdf");
        CHECK(single("Content-Disposition: form-data; name=f; filename=ok.pdf; filename*=ISO-8859-1''%E9.pdf").filename ==
              "ok.pdf");
        const part_info p = single("Content-Disposition: form-data; name=f; filename*=UTF-8''%E");
        CHECK(p.has_filename);
        CHECK(p.filename.empty());
    }
    SECTION("an empty filename is still a file field") {
        const part_info p = single(R"(Content-Disposition: form-data; name="f"; filename="")");
        CHECK(p.has_filename);
        CHECK(p.filename.empty());
    }
    SECTION("other headers and parameters are ignored") {
        const part_info p = single("X-Whatever: 1\r\nContent-Disposition: Form-Data; name=a; size=3;");
        CHECK(p.name == "a");
        CHECK(p.content_type.empty());
    }
}

TEST_CASE("multipart accepts empty parts, zero parts, padding and a first boundary without preamble",
          "[multipart]") {
    SECTION("empty part body") {
        const outcome r = run(k_b, "--" + k_b + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n" + closing());
        CHECK(r.finished);
        REQUIRE(r.parts.size() == 1);
        CHECK(r.data[0].empty());
        CHECK(r.pieces == 0);
    }
    SECTION("no parts at all") {
        const outcome r = run(k_b, "--" + k_b + "--");
        CHECK(r.finished);
        CHECK(r.parts.empty());
    }
    SECTION("transport padding") {
        const outcome r = run(k_b, "--" + k_b + " \t\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" + k_b + "--");
        CHECK(r.finished);
        CHECK(r.data.at(0) == "v");
    }
    SECTION("the epilogue is ignored, and so is anything fed after it") {
        multipart_parser p(k_b, {});
        CHECK(p.feed(field("a", "1") + closing() + "epilogue\r\n--" + k_b + "\r\ngarbage"));
        CHECK(p.done());
        CHECK(p.feed("more garbage"));
        CHECK(p.finish());
    }
    SECTION("a CRLF before the first boundary") {
        const outcome r = run(k_b, "\r\n" + field("a", "1") + closing());
        CHECK(r.finished);
        CHECK(r.data.at(0) == "1");
    }
    SECTION("the longest boundary, with odd characters") {
        const std::string b = "'()+_,-./:=? " + std::string(57, 'q');
        REQUIRE(b.size() == 70);
        const std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" + b + "--";
        check_all_chunkings(b, body);
        CHECK(run(b, body).data.at(0) == "v");
    }
}

TEST_CASE("multipart reports malformed bodies", "[multipart][hostile]") {
    auto error_of = [](const std::string& body, multipart_limits limits = {}) {
        const outcome r = run(k_b, body, {}, limits);
        CHECK_FALSE(r.finished);
        CHECK_FALSE(r.done);
        return r.error;
    };
    const std::string open = "--" + k_b + "\r\n";
    CHECK(error_of("") == multipart_error::truncated);
    CHECK(error_of("no boundary here") == multipart_error::truncated);
    CHECK(error_of(std::string(2000, 'x')) == multipart_error::bad_preamble);
    const std::string preamble = std::string(100, 'x') + "\r\n";  // the CRLF belongs to the delimiter
    CHECK(error_of(preamble + field("a", "1") + closing(), {.max_preamble_bytes = 99}) == multipart_error::bad_preamble);
    CHECK(run(k_b, preamble + field("a", "1") + closing(), {}, {.max_preamble_bytes = 100}).finished);
    CHECK(error_of(field("a", "1")) == multipart_error::truncated);
    CHECK(error_of(field("a", "1") + "--" + k_b) == multipart_error::truncated);
    CHECK(error_of(field("a", "1") + "--" + k_b + "-") == multipart_error::truncated);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a\r\n") == multipart_error::truncated);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a\r\n\r\nda") == multipart_error::truncated);
    CHECK(error_of("--" + k_b + "X\r\n") == multipart_error::bad_delimiter);
    CHECK(error_of(field("a", "1") + "--" + k_b + "-x") == multipart_error::bad_delimiter);
    CHECK(error_of(field("a", "1") + "--" + k_b + " x\r\n") == multipart_error::bad_delimiter);
    CHECK(error_of(field("a", "1") + "--" + k_b + "\rx") == multipart_error::bad_delimiter);
    CHECK(error_of(open + "\r\ndata\r\n" + closing()) == multipart_error::malformed_header);  // no disposition
    CHECK(error_of(open + "No colon\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + ": empty name\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition : form-data; name=a\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a\r\n folded\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: attachment; name=a\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=\"a\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a; name=b\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a; filename=x; filename=y\r\n\r\n") ==
          multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\n") ==
          multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Type: a/b\r\nContent-Type: c/d\r\nContent-Disposition: form-data; name=a\r\n\r\n") ==
          multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=\"a\0b\"\r\n\r\n"s) ==
          multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=\"a\rb\"\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "Content-Disposition: form-data; name=a b\r\n\r\n") == multipart_error::malformed_header);
    CHECK(error_of(open + "X: " + std::string(20000, 'h') + "\r\n\r\n") == multipart_error::header_too_long);
    CHECK(error_of(open + "X: " + std::string(20000, 'h')) == multipart_error::header_too_long);  // no line end needed
    CHECK(error_of("--" + k_b + std::string(20000, ' ') + "\r\n") == multipart_error::header_too_long);
    std::string many;
    for (int i = 0; i < 17; ++i) many += field("f" + std::to_string(i), "v");
    CHECK(error_of(many + closing()) == multipart_error::too_many_parts);
    CHECK(run(k_b, many + closing(), {}, {.max_parts = 17}).finished);
}

TEST_CASE("multipart stops when a handler says no", "[multipart]") {
    const std::string body = field("a", "1") + field("b", "2") + closing();
    for (int which = 0; which < 3; ++which) {
        int begins = 0;
        multipart_parser::handlers h;
        h.on_part_begin = [&](const part_info&) { return ++begins < 2 || which != 0; };
        h.on_part_data = [&](std::string_view) { return which != 1; };
        h.on_part_end = [&] { return which != 2; };
        multipart_parser p(k_b, h);
        CHECK_FALSE(p.feed(body));
        CHECK(p.error() == multipart_error::rejected_by_callback);
        CHECK_FALSE(p.feed(closing()));
        CHECK_FALSE(p.finish());
        CHECK(p.error() == multipart_error::rejected_by_callback);  // the first error stays
    }
}

TEST_CASE("multipart_parser wants a valid boundary", "[multipart]") {
    CHECK_THROWS_AS(multipart_parser("", {}), std::invalid_argument);
    CHECK_THROWS_AS(multipart_parser("a\rb", {}), std::invalid_argument);
    CHECK_THROWS_AS(multipart_parser(std::string(71, 'a'), {}), std::invalid_argument);
    CHECK_NOTHROW(multipart_parser(std::string(70, 'a'), {}));
}

TEST_CASE("multipart errors have readable names", "[multipart]") {
    CHECK(to_string(multipart_error::none) == "none");
    CHECK(to_string(multipart_error::truncated) == "body ended before the closing boundary");
}
