#include "http/body_sink.hpp"
#include "http/file_response.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace sabor::http;

namespace {

struct temp_file {
    std::filesystem::path path;
    explicit temp_file(const std::string& content) {
        path = std::filesystem::temp_directory_path() / ("sabor-files-" + std::to_string(::getpid()) + "-" +
                                                         std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::ofstream(path, std::ios::binary) << content;
    }
    ~temp_file() { std::filesystem::remove(path); }
};

request get(std::string method, std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
    request r;
    r.method = std::move(method);
    r.target = r.path = "/materials/1/slides.pdf";
    for (const auto& h : headers) r.headers.push_back(h);
    return r;
}

// The bytes a file response would send, read back from its descriptor.
std::string body_of(const response& r) {
    REQUIRE(r.file);
    std::string out(r.file->length, '\0');
    auto n = ::pread(r.file->file->fd(), out.data(), out.size(), static_cast<off_t>(r.file->offset));
    REQUIRE(n == static_cast<ssize_t>(out.size()));
    return out;
}

const std::string content = "0123456789abcdefghij";  // 20 bytes
constexpr std::int64_t mtime = 1700000000;           // Tue, 14 Nov 2023 22:13:20 GMT

file_meta meta() {
    file_meta m;
    m.content_type = "application/pdf";
    m.content_disposition = "attachment; filename=\"slides.pdf\"";
    m.etag = "\"abc123\"";
    m.last_modified = mtime;
    m.cache_control = "private, max-age=0";
    return m;
}

}  // namespace

TEST_CASE("HTTP dates are IMF-fixdate and the obsolete forms parse", "[http_files]") {
    CHECK(format_http_date(mtime) == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK_FALSE(parse_http_date("yesterday"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
    CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
}

TEST_CASE("a whole file is answered 200 with every validator and a sendfile part", "[http_files]") {
    temp_file f(content);
    auto r = serve_file(get("GET"), f.path.string(), meta());
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "application/pdf");
    CHECK(r.header("Content-Disposition") == "attachment; filename=\"slides.pdf\"");
    CHECK(r.header("ETag") == "\"abc123\"");
    CHECK(r.header("Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(r.header("Accept-Ranges") == "bytes");
    CHECK(r.header("Cache-Control") == "private, max-age=0");
    CHECK(r.body.empty());
    CHECK(r.content_length() == 20);
    CHECK(body_of(r) == content);
}

TEST_CASE("a missing file is 404 and the file's mtime stands in for Last-Modified", "[http_files]") {
    CHECK(serve_file(get("GET"), "/nonexistent/sabor/file", meta()).status == 404);
    CHECK(serve_file(get("GET"), std::filesystem::temp_directory_path().string(), meta()).status == 404);  // a folder
    temp_file f(content);
    auto m = meta();
    m.last_modified = -1;
    auto r = serve_file(get("GET"), f.path.string(), m);
    CHECK(parse_http_date(r.header("Last-Modified")).has_value());
}

TEST_CASE("byte ranges: closed, open, suffix, clamped", "[http_files]") {
    temp_file f(content);
    auto ranged = [&](std::string range) { return serve_file(get("GET", {{"range", range}}), f.path.string(), meta()); };

    auto r = ranged("bytes=2-5");
    CHECK(r.status == 206);
    CHECK(r.header("Content-Range") == "bytes 2-5/20");
    CHECK(body_of(r) == "2345");
    CHECK(r.header("Content-Type") == "application/pdf");

    r = ranged("bytes=15-");
    CHECK(r.status == 206);
    CHECK(r.header("Content-Range") == "bytes 15-19/20");
    CHECK(body_of(r) == "fghij");

    r = ranged("bytes=-3");
    CHECK(r.status == 206);
    CHECK(r.header("Content-Range") == "bytes 17-19/20");
    CHECK(body_of(r) == "hij");

    r = ranged("bytes=-500");  // a suffix longer than the file: all of it
    CHECK(r.status == 206);
    CHECK(r.header("Content-Range") == "bytes 0-19/20");

    r = ranged("bytes=10-99999999999999999999999");  // an end past the file is clamped
    CHECK(r.status == 206);
    CHECK(r.header("Content-Range") == "bytes 10-19/20");
    CHECK(body_of(r) == "abcdefghij");

    r = ranged("Bytes = 0-0");
    CHECK(r.status == 206);
    CHECK(body_of(r) == "0");
}

TEST_CASE("unsatisfiable ranges are 416, odd ones are answered whole", "[http_files]") {
    temp_file f(content);
    auto ranged = [&](std::string range) { return serve_file(get("GET", {{"range", range}}), f.path.string(), meta()); };
    for (auto bad : {"bytes=20-", "bytes=25-30", "bytes=-0", "bytes=99999999999999999999999-"}) {
        auto r = ranged(bad);
        INFO(bad);
        CHECK(r.status == 416);
        CHECK(r.header("Content-Range") == "bytes */20");
        CHECK_FALSE(r.file);
    }
    for (auto whole : {"bytes=5-2", "bytes=abc", "items=0-5", "bytes=0-1,4-5", "bytes=", "bytes=--1"}) {
        auto r = ranged(whole);
        INFO(whole);
        CHECK(r.status == 200);
        CHECK(r.content_length() == 20);
        CHECK(r.header("Content-Range").empty());
    }
    temp_file empty("");
    auto r = serve_file(get("GET", {{"range", "bytes=0-"}}), empty.path.string(), meta());
    CHECK(r.status == 416);
    CHECK(r.header("Content-Range") == "bytes */0");
}

TEST_CASE("If-None-Match answers 304 by weak comparison, lists and *", "[http_files]") {
    temp_file f(content);
    auto with = [&](std::string name, std::string value, std::string method = "GET") {
        return serve_file(get(method, {{name, value}}), f.path.string(), meta());
    };
    for (auto hit : {"\"abc123\"", "W/\"abc123\"", "\"x\", \"abc123\"", "*", " \"zzz\" ,W/\"abc123\""}) {
        auto r = with("if-none-match", hit);
        INFO(hit);
        CHECK(r.status == 304);
        CHECK(r.header("ETag") == "\"abc123\"");
        CHECK(r.header("Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT");
        CHECK(r.header("Cache-Control") == "private, max-age=0");
        CHECK_FALSE(r.file);
        CHECK(r.body.empty());
    }
    CHECK(with("if-none-match", "\"abc\"").status == 200);
    CHECK(with("if-none-match", "\"abc1234\"").status == 200);
    CHECK(with("if-none-match", "\"abc123\"", "HEAD").status == 304);
    // If-None-Match present and not matching: If-Modified-Since is not looked at.
    auto r = serve_file(get("GET", {{"if-none-match", "\"old\""}, {"if-modified-since", format_http_date(mtime)}}),
                        f.path.string(), meta());
    CHECK(r.status == 200);
}

TEST_CASE("If-Modified-Since answers 304 at or after Last-Modified", "[http_files]") {
    temp_file f(content);
    auto since = [&](std::int64_t t) {
        return serve_file(get("GET", {{"if-modified-since", format_http_date(t)}}), f.path.string(), meta()).status;
    };
    CHECK(since(mtime) == 304);
    CHECK(since(mtime + 3600) == 304);
    CHECK(since(mtime - 1) == 200);
    CHECK(serve_file(get("GET", {{"if-modified-since", "garbage"}}), f.path.string(), meta()).status == 200);
}

TEST_CASE("If-Range: a matching strong ETag or exact date keeps the range, else the whole file", "[http_files]") {
    temp_file f(content);
    auto with_if_range = [&](std::string v) {
        return serve_file(get("GET", {{"range", "bytes=5-"}, {"if-range", v}}), f.path.string(), meta());
    };
    CHECK(with_if_range("\"abc123\"").status == 206);
    CHECK(with_if_range(format_http_date(mtime)).status == 206);
    auto r = with_if_range("\"changed\"");
    CHECK(r.status == 200);
    CHECK(r.content_length() == 20);
    CHECK(with_if_range("W/\"abc123\"").status == 200);  // weak tags never match If-Range
    CHECK(with_if_range(format_http_date(mtime - 60)).status == 200);
    CHECK(with_if_range(format_http_date(mtime + 60)).status == 200);
}

TEST_CASE("HEAD gets the headers and length of GET; ranges are for GET only", "[http_files]") {
    temp_file f(content);
    auto r = serve_file(get("HEAD"), f.path.string(), meta());
    CHECK(r.status == 200);
    CHECK(r.content_length() == 20);
    CHECK(r.header("Content-Type") == "application/pdf");
    r = serve_file(get("HEAD", {{"range", "bytes=0-4"}}), f.path.string(), meta());
    CHECK(r.status == 200);
    CHECK(r.content_length() == 20);
}

TEST_CASE("static files keep their ETag and gain ranges and Last-Modified", "[http_files]") {
    static_files statics(std::filesystem::path(SABOR_SOURCE_DIR) / "web/static");
    request req = get("GET");
    auto whole = statics.serve(req, "css/sabor.css");
    REQUIRE(whole.status == 200);
    CHECK(whole.header("ETag") == "\"" + statics.etag("css/sabor.css") + "\"");
    CHECK(whole.header("Cache-Control") == "public, max-age=86400");
    CHECK_FALSE(whole.header("Last-Modified").empty());
    CHECK_FALSE(whole.file);
    req.headers = {{"if-none-match", std::string(whole.header("ETag"))}};
    CHECK(statics.serve(req, "css/sabor.css").status == 304);
    req.headers = {{"range", "bytes=0-9"}};
    auto part = statics.serve(req, "css/sabor.css");
    CHECK(part.status == 206);
    CHECK(part.body == whole.body.substr(0, 10));
    CHECK(statics.serve(req, "css/none.css").status == 404);
}

namespace {
struct counting_sink : body_sink {
    std::size_t bytes = 0;
    bool write(std::string_view piece) override {
        bytes += piece.size();
        return true;
    }
    bool finish() override { return true; }
    void abort() noexcept override {}
    response refusal() override { return response::text(400, "no\n"); }
};
}  // namespace

TEST_CASE("streaming routes open their sink with params; others have none", "[http_files]") {
    router rt;
    rt.add_streaming(
        "POST", "/api/v1/talks/{id}/materials",
        [](request& head) -> sink_result {
            if (head.param("id") == "0") return response::text(404, "no talk\n");
            return std::make_unique<counting_sink>();
        },
        [](request& req) { return response::text(200, std::to_string(sink_as<counting_sink>(req)->bytes)); }, 1 << 20);
    rt.post("/login", [](request&) { return response::text(200, ""); }, 4096);
    CHECK(rt.body_limit("POST", "/api/v1/talks/7/materials") == (1 << 20));

    request up;
    up.method = "POST";
    up.path = "/api/v1/talks/7/materials";
    auto opened = rt.open_sink(up);
    REQUIRE(opened);
    REQUIRE(std::holds_alternative<std::unique_ptr<body_sink>>(*opened));
    CHECK(up.param("id") == "7");
    up.sink = std::move(std::get<std::unique_ptr<body_sink>>(*opened));
    up.sink->write("hello");
    CHECK(rt.match(up).found->fn(up).body == "5");

    request missing = up;
    missing.path = "/api/v1/talks/0/materials";
    auto refused = rt.open_sink(missing);
    REQUIRE(refused);
    CHECK(std::get<response>(*refused).status == 404);

    request login;
    login.method = "POST";
    login.path = "/login";
    CHECK_FALSE(rt.open_sink(login));
    CHECK_THROWS(rt.add_streaming("POST", "/x", [](request&) -> sink_result { return response{}; }, nullptr, 0));
}
