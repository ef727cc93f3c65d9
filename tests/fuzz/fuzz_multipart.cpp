// libFuzzer target for the multipart parser. Input: the first line is the boundary parameter
// of a Content-Type (it goes through boundary_from_content_type; "b" when that refuses it),
// the next byte chooses the chunking and the limits, the rest is the body.
//
// The body is parsed twice, as one chunk and in chunks of varying sizes; both must report
// exactly the same thing. Along the way: data only inside a part, never empty, taken from
// the chunk being fed (or the held-back start of a delimiter), never more than the body;
// once feed() has said false it keeps saying it; finish() is true exactly when done().
#include "http/multipart.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace sabor::http;

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

struct run_result {
    std::string log;
    multipart_error error = multipart_error::none;
    bool done = false;
    bool finished = false;
};

// Sizes from a small xorshift generator seeded from the input, so a crash replays exactly.
class chunker {
public:
    chunker(std::uint32_t seed, unsigned max_shift) : state_(seed | 1), max_shift_(max_shift) {}
    std::size_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        const std::size_t limit = std::size_t{1} << (state_ % (max_shift_ + 1));
        return 1 + (state_ >> 8) % limit;
    }

private:
    std::uint32_t state_;
    unsigned max_shift_;
};

run_result parse(const std::string& boundary, std::string_view body, const multipart_limits& limits, chunker* sizes) {
    run_result r;
    std::string_view current;  // the chunk being fed
    const std::string delimiter = "\r\n--" + boundary;
    bool in_part = false;
    std::size_t begins = 0;
    std::size_t data_bytes = 0;

    multipart_parser::handlers h;
    h.on_part_begin = [&](const part_info& p) {
        check(!in_part, "part begun inside a part");
        in_part = true;
        ++begins;
        check(begins <= limits.max_parts, "more parts than allowed");
        check(p.has_filename || p.filename.empty(), "filename without has_filename");
        r.log += "\x01" "begin:" + p.name + "\x01" + p.filename + "\x01" + (p.has_filename ? "1" : "0") + "\x01" +
                 p.content_type + "\x02";
        return true;
    };
    h.on_part_data = [&](std::string_view d) {
        check(in_part, "data outside a part");
        check(!d.empty(), "empty data piece");
        const bool from_chunk = d.data() >= current.data() && d.data() + d.size() <= current.data() + current.size();
        const bool held_back = d.size() < delimiter.size() && delimiter.compare(0, d.size(), d) == 0;
        check(from_chunk || held_back, "data neither from the chunk nor a held-back delimiter start");
        data_bytes += d.size();
        check(data_bytes <= body.size(), "more data than body");
        r.log += d;
        return true;
    };
    h.on_part_end = [&] {
        check(in_part, "end without begin");
        in_part = false;
        r.log += "\x01" "end\x02";
        return true;
    };

    multipart_parser p(boundary, h, limits);
    bool failed = false;
    std::size_t pos = 0;
    while (pos < body.size()) {
        const std::size_t n = sizes ? sizes->next() : body.size();
        current = body.substr(pos, n);
        const bool ok = p.feed(current);
        check(!(failed && ok), "feed succeeded after a failure");
        check(ok == (p.error() == multipart_error::none), "feed result and error() disagree");
        failed = failed || !ok;
        pos += current.size();
    }
    current = {};
    check(p.feed({}) == !failed, "an empty feed changed the outcome");
    r.done = p.done();
    r.finished = p.finish();
    r.error = p.error();
    check(r.finished == r.done, "finish() and done() disagree");
    check(r.finished == (r.error == multipart_error::none), "finish() and error() disagree");
    check(!r.done || !in_part, "done inside a part");
    check(p.finish() == r.finished, "second finish() differs");
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t eol = input.find('\n');
    if (eol == std::string_view::npos || eol + 1 >= input.size()) return 0;
    const std::string boundary = boundary_from_content_type("multipart/form-data; boundary=" + std::string(input.substr(0, eol))).value_or("b");
    const auto mode = static_cast<unsigned char>(input[eol + 1]);
    const std::string_view body = input.substr(eol + 2);

    multipart_limits limits;
    if (mode & 0x80) limits = {.max_header_bytes = 96, .max_parts = 3, .max_preamble_bytes = 16};

    std::uint32_t seed = 2166136261u;  // FNV-1a of the body
    for (char c : body) seed = (seed ^ static_cast<unsigned char>(c)) * 16777619u;

    const run_result whole = parse(boundary, body, limits, nullptr);
    chunker sizes(seed, mode % 11);  // chunks of 1 byte up to 1 KiB
    const run_result pieces = parse(boundary, body, limits, &sizes);
    check(whole.log == pieces.log, "chunking changed the parts or their data");
    check(whole.error == pieces.error, "chunking changed the error");
    check(whole.done == pieces.done, "chunking changed done()");
    return 0;
}
