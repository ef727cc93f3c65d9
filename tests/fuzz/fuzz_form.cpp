// libFuzzer target for what arrives in a request line and a form body: the target (path and
// query) and application/x-www-form-urlencoded bodies. Parsing never crashes, is
// deterministic, and a decoded path never keeps a "%" escape or a NUL.
#include "fuzz_common.hpp"
#include "http/message.hpp"

#include <cstdint>
#include <string>

using namespace sabor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    http::fields a, b;
    bool ok_a = http::parse_form(in, a);
    bool ok_b = http::parse_form(in, b);
    fuzz::check(ok_a == ok_b && a == b, "parse_form is not deterministic");

    std::string path;
    http::fields query;
    if (http::parse_target(in, path, query)) {
        fuzz::check(!path.empty() && path[0] == '/', "a path that does not start with /");
        fuzz::check(path.find('\0') == std::string::npos, "a NUL in the decoded path");
    }
    return 0;
}
