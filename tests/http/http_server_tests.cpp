// The server over real sockets: streamed uploads into a body_sink (limits, refusals, clients
// that go away, memory that does not grow with the body) and file bodies sent with sendfile.
#define CATCH_CONFIG_MAIN
#include "http/body_sink.hpp"
#include "http/file_response.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "util/crypto.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sabor::http;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t MiB = 1024 * 1024;

constexpr std::uint64_t fnv_offset = 14695981039346656037ull;
std::uint64_t fnv1a(std::uint64_t h, std::string_view data) {
    for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
    return h;
}

// Deterministic test bytes: byte i of every upload and of the served file.
char pattern_at(std::uint64_t i) { return static_cast<char>((i * 2654435761u) >> 13); }

void fill(std::string& block, std::uint64_t offset) {
    for (std::size_t k = 0; k < block.size(); ++k) block[k] = pattern_at(offset + k);
}

fs::path temp_path(const std::string& stem) {
    static std::atomic<int> counter{0};
    return fs::temp_directory_path() / ("sabor-http-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + stem);
}

// True when the file holds exactly `size` pattern bytes.
bool holds_pattern(const fs::path& p, std::uint64_t size) {
    std::error_code ec;
    if (fs::file_size(p, ec) != size || ec) return false;
    std::ifstream in(p, std::ios::binary);
    std::string got(MiB, '\0'), want(MiB, '\0');
    for (std::uint64_t off = 0; off < size; off += MiB) {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(MiB, size - off));
        got.resize(n);
        want.resize(n);
        in.read(got.data(), static_cast<std::streamsize>(n));
        fill(want, off);
        if (got != want) return false;
    }
    return true;
}

// What the server did with the bodies it was given.
struct probe {
    std::atomic<int> factory_calls{0};
    std::atomic<int> aborts{0};
    std::atomic<int> finishes{0};
    std::atomic<std::uint64_t> written{0};
    std::mutex mu;
    std::vector<fs::path> temp_files;  // every temp file a sink opened

    fs::path last_temp() {
        std::lock_guard lock(mu);
        return temp_files.empty() ? fs::path{} : temp_files.back();
    }
};

// Writes the body to a temporary file; refuses (415) past `refuse_after` bytes.
class file_sink : public body_sink {
public:
    file_sink(probe& p, std::uint64_t refuse_after) : probe_(p), refuse_after_(refuse_after), path_(temp_path("upload")) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        std::lock_guard lock(p.mu);
        p.temp_files.push_back(path_);
    }
    ~file_sink() override {
        close_fd();
        if (!taken_) ::unlink(path_.c_str());
    }
    bool write(std::string_view piece) override {
        if (fd_ < 0 || written_ + piece.size() > refuse_after_) return false;
        while (!piece.empty()) {
            auto n = ::write(fd_, piece.data(), piece.size());
            if (n <= 0) return false;
            piece.remove_prefix(static_cast<std::size_t>(n));
            written_ += static_cast<std::uint64_t>(n);
            probe_.written += static_cast<std::uint64_t>(n);
        }
        return true;
    }
    bool finish() override {
        ++probe_.finishes;
        close_fd();
        return true;
    }
    void abort() noexcept override {
        close_fd();
        ::unlink(path_.c_str());
        ++probe_.aborts;  // counted once the file is gone: tests wait on the count, then look for the file
    }
    response refusal() override { return response::text(415, "refused\n"); }

    fs::path take() {
        taken_ = true;
        return path_;
    }
    std::uint64_t written() const { return written_; }

private:
    void close_fd() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    probe& probe_;
    std::uint64_t refuse_after_;
    fs::path path_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
    bool taken_ = false;
};

struct reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::uint64_t body_size = 0;
    std::uint64_t body_hash = 0;  // FNV-1a, when the body was not kept
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string{} : it->second;
    }
};

// A raw HTTP/1.1 client over a blocking socket: the test decides exactly what goes on the wire.
class client {
public:
    explicit client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        timeval tv{20, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~client() { close(); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool send(std::string_view data) {
        while (!data.empty()) {
            auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // `size` pattern bytes, as they come or as chunks of at most 1 MiB.
    bool send_pattern(std::uint64_t size, bool chunked) {
        std::string block(MiB, '\0');
        for (std::uint64_t off = 0; off < size; off += MiB) {
            block.resize(static_cast<std::size_t>(std::min<std::uint64_t>(MiB, size - off)));
            fill(block, off);
            if (chunked) {
                char head[32];
                std::snprintf(head, sizeof head, "%zx\r\n", block.size());
                if (!send(head) || !send(block) || !send("\r\n")) return false;
            } else if (!send(block)) {
                return false;
            }
        }
        return !chunked || send("0\r\n\r\n");
    }

    // One response; nullopt when the connection closed or timed out first. `head`: no body
    // follows (HEAD). Without keep_body only the body's size and FNV-1a hash are kept.
    std::optional<reply> read(bool head = false, bool keep_body = true) {
        std::size_t end;
        while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
            if (!fill_buf()) return std::nullopt;
        reply r;
        std::string_view h(buf_.data(), end);
        auto line_end = h.find("\r\n");
        auto status_line = h.substr(0, line_end);
        r.status = std::stoi(std::string(status_line.substr(9, 3)));
        while (line_end != std::string_view::npos) {
            h.remove_prefix(line_end + 2);
            line_end = h.find("\r\n");
            auto line = h.substr(0, line_end);
            auto colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            std::string name(line.substr(0, colon));
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            r.headers[name] = std::string(value);
        }
        buf_.erase(0, end + 4);
        std::uint64_t length = 0;
        if (!head && r.status >= 200 && r.status != 204 && r.status != 304 && !r.header("content-length").empty())
            length = std::stoull(r.header("content-length"));
        r.body_size = length;
        if (keep_body) {
            while (buf_.size() < length)
                if (!fill_buf()) return std::nullopt;
            r.body = buf_.substr(0, static_cast<std::size_t>(length));
            buf_.erase(0, static_cast<std::size_t>(length));
        } else {
            r.body_hash = fnv_offset;
            while (length > 0) {
                if (buf_.empty() && !fill_buf()) return std::nullopt;
                auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length, buf_.size()));
                r.body_hash = fnv1a(r.body_hash, std::string_view(buf_).substr(0, n));
                buf_.erase(0, n);
                length -= n;
            }
        }
        return r;
    }

    // A chunked body after read(): its bytes, or nullopt when the connection ended before
    // the last chunk.
    std::optional<std::string> chunked_body() {
        std::string body;
        for (;;) {
            std::size_t eol;
            while ((eol = buf_.find("\r\n")) == std::string::npos)
                if (!fill_buf()) return std::nullopt;
            auto size = std::stoull(buf_.substr(0, eol), nullptr, 16);
            buf_.erase(0, eol + 2);
            while (buf_.size() < size + 2)
                if (!fill_buf()) return std::nullopt;
            body.append(buf_, 0, static_cast<std::size_t>(size));
            buf_.erase(0, static_cast<std::size_t>(size) + 2);
            if (size == 0) return body;
        }
    }

    // Everything until the server closes the connection.
    std::string rest() {
        while (fill_buf()) {
        }
        return std::exchange(buf_, std::string{});
    }

    // True when the server closed the connection (EOF) within the receive timeout.
    bool closed_by_server() {
        char c;
        for (;;) {
            auto n = ::recv(fd_, &c, 1, 0);
            if (n == 0) return true;
            if (n < 0) return errno == ECONNRESET;
        }
    }

private:
    bool fill_buf() {
        char tmp[256 * 1024];
        auto n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) return false;
        buf_.append(tmp, static_cast<std::size_t>(n));
        return true;
    }
    int fd_ = -1;
    std::string buf_;
};

std::string upload_head(const std::string& target, std::optional<std::uint64_t> length, bool auth = true,
                        bool expect = false) {
    std::string h = "POST " + target + " HTTP/1.1\r\nHost: x\r\n";
    if (auth) h += "Authorization: Bearer ok\r\n";
    if (length) h += "Content-Length: " + std::to_string(*length) + "\r\n";
    else h += "Transfer-Encoding: chunked\r\n";
    if (expect) h += "Expect: 100-continue\r\n";
    return h + "\r\n";
}

// A body made as it is sent: `size` pattern bytes in pieces of uneven length; throws once
// past `fail_after` bytes.
class pattern_source : public body_source {
public:
    pattern_source(std::uint64_t size, std::uint64_t fail_after, std::atomic<int>& destroyed)
        : size_(size), fail_after_(fail_after), destroyed_(destroyed) {}
    ~pattern_source() override { ++destroyed_; }
    std::size_t read(char* buf, std::size_t size) override {
        if (made_ >= fail_after_) throw std::runtime_error("the source broke");
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>({size, size_ - made_, 1000 + made_ % 70000}));
        for (std::size_t k = 0; k < n; ++k) buf[k] = pattern_at(made_ + k);
        made_ += n;
        return n;
    }

private:
    std::uint64_t size_, fail_after_, made_ = 0;
    std::atomic<int>& destroyed_;
};

// Waits for a condition the server meets on its own thread.
template <class F>
bool eventually(F f, std::chrono::milliseconds limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return f();
}

long vm_hwm_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// A server on 127.0.0.1, an ephemeral port, its own thread.
struct test_server {
    router rt;
    probe pr;
    fs::path big_file;
    std::uint64_t big_size = 0;
    std::unique_ptr<server> srv;
    std::thread thread;
    std::promise<std::uint16_t> listening;
    std::uint16_t port = 0;
    std::atomic<int> sources_destroyed{0};

    explicit test_server(std::uint64_t file_size = 0, std::chrono::seconds read_timeout = 10s) {
        if (file_size) {
            big_file = temp_path("download.bin");
            big_size = file_size;
            std::ofstream out(big_file, std::ios::binary);
            std::string block(MiB, '\0');
            for (std::uint64_t off = 0; off < file_size; off += MiB) {
                block.resize(static_cast<std::size_t>(std::min<std::uint64_t>(MiB, file_size - off)));
                fill(block, off);
                out.write(block.data(), static_cast<std::streamsize>(block.size()));
            }
        }
        auto factory = [this](std::uint64_t refuse_after) {
            return [this, refuse_after](request& head) -> sink_result {
                ++pr.factory_calls;
                if (head.header("authorization") != "Bearer ok") return response::text(401, "who are you?\n");
                if (head.param("name") == "missing") return response::text(404, "no such talk\n");
                return std::make_unique<file_sink>(pr, refuse_after);
            };
        };
        auto keep = [](request& req) {
            auto* sink = sink_as<file_sink>(req);
            if (!sink) return response::text(500, "no sink\n");
            auto kept = temp_path("kept");
            fs::rename(sink->take(), kept);
            return response::text(201, kept.string());
        };
        rt.add_streaming("POST", "/upload/{name}", factory(UINT64_MAX), keep, 300 * MiB);
        rt.add_streaming("POST", "/small/{name}", factory(UINT64_MAX), keep, 1 * MiB);
        rt.add_streaming("POST", "/refuse/{name}", factory(64 * 1024), keep, 300 * MiB);
        rt.get("/hello", [](request&) { return response::text(200, "hello"); });
        rt.get("/made/{size}", [this](request& req) {
            response r;
            r.set_header("Content-Type", "application/zip");
            auto size = std::stoull(std::string(req.param("size")));
            auto fail_after = req.query_param("fail_after") ? std::stoull(*req.query_param("fail_after")) : UINT64_MAX;
            r.stream = std::make_shared<pattern_source>(size, fail_after, sources_destroyed);
            return r;
        });
        rt.get("/files/big", [this](request& req) {
            file_meta m;
            m.content_type = "application/pdf";
            m.content_disposition = "attachment; filename=\"big.pdf\"";
            m.etag = "\"big-v1\"";
            return serve_file(req, big_file.string(), m);
        });

        server_options o;
        o.host = "127.0.0.1";
        o.port = 0;
        o.threads = 2;
        o.read_timeout = read_timeout;
        o.write_timeout = 10s;
        o.drain_timeout = 2s;
        server_hooks h;
        h.handle = [this](request& req) {
            auto m = rt.match(req);
            return m.found ? m.found->fn(req) : response::text(404, "not found\n");
        };
        h.body_limit = [this](std::string_view method, std::string_view path) { return rt.body_limit(method, path); };
        h.open_sink = [this](request& req) { return rt.open_sink(req); };
        h.finish_response = [](request&, response& res) { res.set_header("X-Finished", "yes"); };
        h.on_listening = [this](std::uint16_t p) { listening.set_value(p); };
        srv = std::make_unique<server>(o, h);
        thread = std::thread([this] { srv->run(); });
        port = listening.get_future().get();
    }
    // Stops the server and destroys it, with whatever connections it still had.
    void shut_down() {
        if (!srv) return;
        srv->stop();
        thread.join();
        srv.reset();
    }
    ~test_server() {
        shut_down();
        std::lock_guard lock(pr.mu);
        for (auto& p : pr.temp_files) ::unlink(p.c_str());
        if (!big_file.empty()) fs::remove(big_file);
    }
};

// Checks an upload answered 201 with the kept file's path, and removes the file.
void check_kept(const std::optional<reply>& r, std::uint64_t size) {
    REQUIRE(r);
    REQUIRE(r->status == 201);
    fs::path kept = r->body;
    CHECK(holds_pattern(kept, size));
    fs::remove(kept);
}

}  // namespace

TEST_CASE("a 100 MB upload with Content-Length streams into the sink", "[http_server]") {
    test_server s;
    client c(s.port);
    const std::uint64_t size = 100 * MiB;
    REQUIRE(c.send(upload_head("/upload/talk", size)));
    REQUIRE(c.send_pattern(size, false));
    check_kept(c.read(), size);
    CHECK(s.pr.finishes == 1);
    CHECK(s.pr.aborts == 0);
    CHECK(s.pr.written == size);
    // The connection stays open for the next request.
    REQUIRE(c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->body == "hello");
}

TEST_CASE("a 100 MB chunked upload streams into the sink", "[http_server]") {
    test_server s;
    client c(s.port);
    const std::uint64_t size = 100 * MiB + 12345;
    REQUIRE(c.send(upload_head("/upload/talk", std::nullopt)));
    REQUIRE(c.send_pattern(size, true));
    check_kept(c.read(), size);
    CHECK(s.pr.aborts == 0);
}

TEST_CASE("Expect: 100-continue is answered only once the factory accepted", "[http_server]") {
    test_server s;
    {
        client c(s.port);
        REQUIRE(c.send(upload_head("/upload/talk", 3 * MiB, true, true)));
        auto cont = c.read();
        REQUIRE(cont);
        CHECK(cont->status == 100);
        REQUIRE(c.send_pattern(3 * MiB, false));
        check_kept(c.read(), 3 * MiB);
    }
    client c(s.port);
    REQUIRE(c.send(upload_head("/upload/talk", 3 * MiB, false, true)));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 401);  // no 100 before it
}

TEST_CASE("a Content-Length over the limit is 413 before the factory is asked", "[http_server]") {
    test_server s;
    client c(s.port);
    REQUIRE(c.send(upload_head("/small/talk", 2 * MiB)));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(c.closed_by_server());
    CHECK(s.pr.factory_calls == 0);
    CHECK(s.pr.written == 0);
}

TEST_CASE("a chunked body over the limit is 413 and the sink is aborted", "[http_server]") {
    test_server s;
    client c(s.port);
    REQUIRE(c.send(upload_head("/small/talk", std::nullopt)));
    // The client keeps sending while the server answers: the answer must still arrive.
    std::thread sender([&] { c.send_pattern(20 * MiB, true); });
    auto r = c.read();
    sender.join();
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(s.pr.factory_calls == 1);
    CHECK(eventually([&] { return s.pr.aborts == 1; }));
    CHECK(s.pr.written <= 1 * MiB);
    CHECK_FALSE(fs::exists(s.pr.last_temp()));
}

TEST_CASE("a client that goes away mid-body makes the sink abort", "[http_server]") {
    test_server s;
    {
        client c(s.port);
        REQUIRE(c.send(upload_head("/upload/talk", 50 * MiB)));
        REQUIRE(c.send_pattern(5 * MiB, false));
        REQUIRE(eventually([&] { return s.pr.written > 0; }));
    }
    CHECK(eventually([&] { return s.pr.aborts == 1; }));
    CHECK(s.pr.finishes == 0);
    CHECK_FALSE(fs::exists(s.pr.last_temp()));
    // Chunked, cut inside a chunk.
    {
        client c(s.port);
        REQUIRE(c.send(upload_head("/upload/talk", std::nullopt)));
        REQUIRE(c.send("100000\r\n" + std::string(1000, 'x')));
    }
    CHECK(eventually([&] { return s.pr.aborts == 2; }));
    CHECK_FALSE(fs::exists(s.pr.last_temp()));
}

TEST_CASE("a client that stalls mid-body times out and the sink aborts", "[http_server]") {
    test_server s(0, 1s);
    client c(s.port);
    REQUIRE(c.send(upload_head("/upload/talk", 10 * MiB)));
    REQUIRE(c.send_pattern(1 * MiB, false));
    CHECK(eventually([&] { return s.pr.aborts == 1; }, 5s));
    CHECK(c.closed_by_server());
    CHECK_FALSE(fs::exists(s.pr.last_temp()));
}

TEST_CASE("stopping the server with an upload in flight aborts its sink", "[http_server]") {
    test_server s;
    client c(s.port);
    REQUIRE(c.send(upload_head("/upload/talk", 10 * MiB)));
    REQUIRE(c.send_pattern(1 * MiB, false));
    REQUIRE(eventually([&] { return s.pr.written > 0; }));
    s.shut_down();  // waits drain_timeout for the upload, then gives up on it
    CHECK(s.pr.aborts == 1);
    CHECK_FALSE(fs::exists(s.pr.last_temp()));
}

TEST_CASE("the factory's early answer comes without the body being read", "[http_server]") {
    test_server s;
    client c(s.port);
    auto started = std::chrono::steady_clock::now();
    REQUIRE(c.send(upload_head("/upload/talk", 200 * MiB, false)));  // header only
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->body == "who are you?\n");
    CHECK(r->header("x-finished") == "yes");  // through finish_response
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(c.closed_by_server());  // the unread body ends the connection
    CHECK(s.pr.written == 0);

    client c2(s.port);
    REQUIRE(c2.send(upload_head("/upload/missing", 10)));
    auto r2 = c2.read();
    REQUIRE(r2);
    CHECK(r2->status == 404);
}

TEST_CASE("a sink's refusal is answered with its own response", "[http_server]") {
    test_server s;
    client c(s.port);
    REQUIRE(c.send(upload_head("/refuse/talk", 4 * MiB)));
    std::thread sender([&] { c.send_pattern(4 * MiB, false); });
    auto r = c.read();
    sender.join();
    REQUIRE(r);
    CHECK(r->status == 415);
    CHECK(r->body == "refused\n");
    CHECK(r->header("x-finished") == "yes");
    CHECK(s.pr.aborts == 1);  // abort() follows the refusal: nothing is left behind
    CHECK(s.pr.finishes == 0);
    CHECK_FALSE(fs::exists(s.pr.last_temp()));
}

TEST_CASE("a 50 MB file goes out whole, with sendfile", "[http_server]") {
    const std::uint64_t size = 50 * MiB;
    test_server s(size);
    std::string expected_sha;
    {
        std::ifstream in(s.big_file, std::ios::binary);
        std::string all(static_cast<std::size_t>(size), '\0');
        in.read(all.data(), static_cast<std::streamsize>(size));
        expected_sha = sabor::util::sha256_hex(all);
    }
    client c(s.port);
    REQUIRE(c.send("GET /files/big HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("content-length") == std::to_string(size));
    CHECK(r->header("content-type") == "application/pdf");
    CHECK(r->header("content-disposition") == "attachment; filename=\"big.pdf\"");
    CHECK(r->header("etag") == "\"big-v1\"");
    CHECK(r->header("accept-ranges") == "bytes");
    CHECK_FALSE(r->header("last-modified").empty());
    REQUIRE(r->body.size() == size);
    CHECK(sabor::util::sha256_hex(r->body) == expected_sha);
    std::string want(static_cast<std::size_t>(size), '\0');
    fill(want, 0);
    CHECK(r->body == want);

    // Keep-alive after a file: two more requests on the same connection.
    REQUIRE(c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /files/big HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-1999\r\n\r\n"));
    auto hello = c.read();
    REQUIRE(hello);
    CHECK(hello->body == "hello");
    auto part = c.read();
    REQUIRE(part);
    CHECK(part->status == 206);
    CHECK(part->header("content-range") == "bytes 1000-1999/" + std::to_string(size));
    CHECK(part->body == want.substr(1000, 1000));

    // A suffix range, then a conditional GET, then HEAD, all on the same connection.
    REQUIRE(c.send("GET /files/big HTTP/1.1\r\nHost: x\r\nRange: bytes=-10\r\n\r\n"));
    auto tail = c.read();
    REQUIRE(tail);
    CHECK(tail->status == 206);
    CHECK(tail->body == want.substr(want.size() - 10));
    REQUIRE(c.send("GET /files/big HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"big-v1\"\r\n\r\n"));
    auto not_modified = c.read();
    REQUIRE(not_modified);
    CHECK(not_modified->status == 304);
    CHECK(not_modified->body.empty());
    REQUIRE(c.send("HEAD /files/big HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto head = c.read(true);
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->header("content-length") == std::to_string(size));
    // Had HEAD sent a body, this answer would start inside it.
    REQUIRE(c.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto last = c.read();
    REQUIRE(last);
    CHECK(last->body == "hello");
    CHECK(c.closed_by_server());
}

TEST_CASE("16 clients download the same 50 MB file at once", "[http_server]") {
    const std::uint64_t size = 50 * MiB;
    test_server s(size);
    std::string want(static_cast<std::size_t>(size), '\0');
    fill(want, 0);
    auto expected = fnv1a(fnv_offset, want);
    std::string().swap(want);
    std::vector<std::uint64_t> hashes(16);
    std::vector<std::thread> clients;
    auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < hashes.size(); ++i)
        clients.emplace_back([&, i] {
            client c(s.port);
            if (!c.send("GET /files/big HTTP/1.1\r\nHost: x\r\n\r\n")) return;
            auto r = c.read(false, false);
            if (r && r->status == 200 && r->body_size == size) hashes[i] = r->body_hash;
        });
    for (auto& t : clients) t.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "16 x 50 MB downloaded in %.2f s (%.0f MB/s, debug build, client in-process)\n", seconds,
                 16 * 50 / seconds);
    for (auto h : hashes) CHECK(h == expected);
}

TEST_CASE("a 200 MB upload grows peak memory by less than 32 MB", "[http_server]") {
    test_server s;
    {  // warm up: the connection's buffers and the first sink exist before the baseline
        client c(s.port);
        REQUIRE(c.send(upload_head("/upload/warm", 4 * MiB)));
        REQUIRE(c.send_pattern(4 * MiB, false));
        check_kept(c.read(), 4 * MiB);
    }
    long before = vm_hwm_kib();
    REQUIRE(before > 0);
    const std::uint64_t size = 200 * MiB;
    client c(s.port);
    REQUIRE(c.send(upload_head("/upload/talk", size)));
    REQUIRE(c.send_pattern(size, false));
    auto r = c.read();
    long after = vm_hwm_kib();
    check_kept(r, size);
    double growth_mb = static_cast<double>(after - before) / 1024.0;
    std::fprintf(stderr, "peak RSS (VmHWM) %ld KiB before, %ld KiB after a 200 MB upload: +%.1f MB\n", before, after,
                 growth_mb);
    CHECK(growth_mb < 32.0);
}

TEST_CASE("a made body is pulled from its source and sent chunked", "[http_server]") {
    test_server s;
    client c(s.port);
    const std::uint64_t size = 30 * MiB + 7;
    REQUIRE(c.send("GET /made/" + std::to_string(size) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("transfer-encoding") == "chunked");
    CHECK(r->header("content-type") == "application/zip");
    auto body = c.chunked_body();
    REQUIRE(body);
    REQUIRE(body->size() == size);
    std::string want(size, '\0');
    fill(want, 0);
    CHECK(*body == want);
    CHECK(eventually([&] { return s.sources_destroyed == 1; }));
    // The connection goes on: HEAD has the header alone, then an ordinary request.
    REQUIRE(c.send("HEAD /made/100 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto h = c.read(true);
    REQUIRE(h);
    CHECK(h->status == 200);
    auto hello = c.read();
    REQUIRE(hello);
    CHECK(hello->body == "hello");
}

TEST_CASE("a source that fails mid-body cuts the connection without the last chunk", "[http_server]") {
    test_server s;
    client c(s.port);
    REQUIRE(c.send("GET /made/10000000?fail_after=3000000 HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK_FALSE(c.chunked_body());  // closed before the terminating chunk
    CHECK(eventually([&] { return s.sources_destroyed == 1; }));
}

TEST_CASE("a made body to an HTTP/1.0 client ends with the connection", "[http_server]") {
    test_server s;
    client c(s.port);
    REQUIRE(c.send("GET /made/500000 HTTP/1.0\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("transfer-encoding").empty());
    auto body = c.rest();
    std::string want(500000, '\0');
    fill(want, 0);
    CHECK(body == want);
}

TEST_CASE("a client that goes away mid-way drops the source", "[http_server]") {
    test_server s;
    {
        client c(s.port);
        REQUIRE(c.send("GET /made/" + std::to_string(400 * MiB) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        REQUIRE(c.read());
    }
    CHECK(eventually([&] { return s.sources_destroyed == 1; }));
}
