#include "materials/access.hpp"
#include "registration/checkin.hpp"
#include "util/crypto.hpp"
#include "util/signed_token.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sabor::util;

namespace {
const std::string secret = "0123456789abcdef0123456789abcdef";
}

TEST_CASE("links and check-in codes already sent keep their format", "[signed_token]") {
    // Worked out apart (Python: HMAC-SHA-256 keyed with SHA-256 of the secret): the strings
    // mailed out before signed tokens had one home. A change here breaks every link and QR code.
    CHECK(sabor::materials::access_key(secret, 42) == "42-3793a58c483e1465dd55faefff1a510a");
    CHECK(sabor::registration::checkin_code(secret, 42) == "42-5ed6adb51918f91ac15c9fb3");
    CHECK(sabor::registration::checkin_code(secret, 7) == "7-ef5ea9a250a1cbfd603ca75d");
    CHECK(sign_id(secret, token_purpose::materials, 42, 32) == "42-" + hmac_hex(secret, "materials:42").substr(0, 32));
    CHECK(sign_id(secret, token_purpose::checkin, 42, 24) == "42-" + hmac_hex(secret, "checkin:42").substr(0, 24));
    CHECK(sabor::materials::verify_access_key(secret, "42-3793a58c483e1465dd55faefff1a510a") == 42);
    CHECK(sabor::registration::verify_checkin_code(secret, "7-ef5ea9a250a1cbfd603ca75d") == 7);
    CHECK(token_mac(secret, token_purpose::csrf, "cookie value", 64) == hmac_hex(secret, "csrf:cookie value"));
}

TEST_CASE("a token verifies for its own purpose and secret only", "[signed_token][hostile]") {
    auto t = sign_token(secret, token_purpose::checkin, "42", 32);
    CHECK(verify_token(secret, token_purpose::checkin, t, 32) == "42");
    CHECK_FALSE(verify_token(secret, token_purpose::materials, t, 32));
    CHECK_FALSE(verify_token(secret, token_purpose::csrf, t, 32));
    CHECK_FALSE(verify_token("another secret, another server!!", token_purpose::checkin, t, 32));
    CHECK_FALSE(verify_token(secret, token_purpose::checkin, t, 24));  // the same MAC cut elsewhere
    // A materials key is not a check-in code of the same registration, nor the other way round.
    auto key = sabor::materials::access_key(secret, 42);
    CHECK_FALSE(sabor::registration::verify_checkin_code(secret, key));
    CHECK_FALSE(sabor::registration::verify_checkin_code(secret, key.substr(0, 3 + 24)));
    CHECK_FALSE(sabor::materials::verify_access_key(secret, sabor::registration::checkin_code(secret, 42)));
    // A CSRF cookie chosen to look like another purpose's message gives no usable MAC.
    auto csrf = token_mac(secret, token_purpose::csrf, "checkin:42", 64);
    CHECK_FALSE(verify_token(secret, token_purpose::checkin, "42-" + csrf.substr(0, 24), 24));
}

TEST_CASE("tampered, truncated and malformed tokens are refused", "[signed_token][hostile]") {
    auto t = sign_id(secret, token_purpose::materials, 42, 32);
    auto flipped = t;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    CHECK_FALSE(verify_id(secret, token_purpose::materials, flipped, 32));
    auto upper = t;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper != t) CHECK_FALSE(verify_id(secret, token_purpose::materials, upper, 32));
    auto swapped = t;
    swapped[1] = '3';  // 43, the MAC of 42 kept
    CHECK_FALSE(verify_id(secret, token_purpose::materials, swapped, 32));
    CHECK_FALSE(verify_id(secret, token_purpose::materials, t.substr(0, t.size() - 1), 32));
    CHECK_FALSE(verify_id(secret, token_purpose::materials, t + "0", 32));
    CHECK_FALSE(verify_id(secret, token_purpose::materials, "0" + t, 32));   // 042: not how 42 is written
    CHECK_FALSE(verify_id(secret, token_purpose::materials, "+" + t, 32));
    for (const std::string& bad : std::vector<std::string>{"", "-", "42", "42-", "-42", "--", "x-abc", "0-abc", "-1-abc", std::string(5000, '-')})
        CHECK_FALSE(verify_id(secret, token_purpose::materials, bad, 32));
    // Ids that are not positive are never signed as ids, even when the MAC is right.
    for (std::string v : {"0", "-5", "abc", "9223372036854775808"})
        CHECK_FALSE(verify_id(secret, token_purpose::materials, sign_token(secret, token_purpose::materials, v, 32), 32));
    CHECK_THROWS_AS(token_mac(secret, token_purpose::csrf, "x", 8), std::invalid_argument);
    CHECK_THROWS_AS(token_mac(secret, token_purpose::csrf, "x", 65), std::invalid_argument);
}

TEST_CASE("empty, dashed and non-ASCII values round-trip", "[signed_token]") {
    for (const std::string& v : std::vector<std::string>{"", "а-б", "Събор 2031", "x-y-z", std::string("a\0b", 3), std::string("\xC0\xAF")}) {
        auto t = sign_token(secret, token_purpose::csrf, v, 16);
        CHECK(t.size() == v.size() + 1 + 16);
        CHECK(verify_token(secret, token_purpose::csrf, t, 16) == v);
        CHECK(token_mac_ok(secret, token_purpose::csrf, v, t.substr(v.size() + 1), 16));
        CHECK_FALSE(token_mac_ok(secret, token_purpose::csrf, v + "!", t.substr(v.size() + 1), 16));
    }
    CHECK_FALSE(token_mac_ok(secret, token_purpose::csrf, "v", "", 16));
}
