#include "accounts/security.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using sabor::accounts::acceptable_password;
using sabor::accounts::whole_seconds;

TEST_CASE("a new password has at least 8 characters, counted as letters, not bytes", "[accounts]") {
    CHECK_FALSE(acceptable_password(""));
    CHECK_FALSE(acceptable_password("1234567"));
    CHECK(acceptable_password("12345678"));
    CHECK_FALSE(acceptable_password("парола1"));  // 7 letters, 13 bytes
    CHECK(acceptable_password("парола12"));
}

TEST_CASE("a new password is valid UTF-8 of at most 1024 bytes", "[accounts][hostile]") {
    CHECK_FALSE(acceptable_password(std::string("abcdefgh\xff", 9)));
    CHECK_FALSE(acceptable_password(std::string("\xc3\x28password", 10)));
    CHECK(acceptable_password(std::string(1024, 'x')));
    CHECK_FALSE(acceptable_password(std::string(1025, 'x')));
}

TEST_CASE("a wait is told in whole seconds, rounded up", "[accounts]") {
    using std::chrono::milliseconds;
    CHECK(whole_seconds(milliseconds(1)) == "1");
    CHECK(whole_seconds(milliseconds(1000)) == "1");
    CHECK(whole_seconds(milliseconds(1001)) == "2");
}
