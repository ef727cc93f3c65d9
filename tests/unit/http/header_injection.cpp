// A header value is one line: CR, LF and NUL are percent-encoded, whatever a handler puts in.
#include "http/message.hpp"

#include <catch2/catch.hpp>

using namespace sabor;

TEST_CASE("a header value cannot end its line and start another", "[http]") {
    auto r = http::response::redirect("/login?next=/admin/events/1\r\nSet-Cookie: sabor_session=evil");
    CHECK(r.header("Location") == "/login?next=/admin/events/1%0D%0ASet-Cookie: sabor_session=evil");
    r.set_header("X-Test", std::string("a\nb\0c", 5));
    CHECK(r.header("X-Test") == "a%0Ab%00c");
    r.add_header("Set-Cookie", "a=b\rX: y");
    CHECK(r.headers.back().second == "a=b%0DX: y");
    r.set_header("X-Plain", "tab\tand Кирилица stay");
    CHECK(r.header("X-Plain") == "tab\tand Кирилица stay");
}
