#include "util/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sabor::util;

TEST_CASE("valid_utf8 accepts well-formed text", "[utf8]") {
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("hello"));
    CHECK(valid_utf8("Събор на общините"));
    CHECK(valid_utf8("\xE2\x82\xAC"));          // €
    CHECK(valid_utf8("\xF0\x9F\x98\x80"));      // 😀
    CHECK(valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
    CHECK(valid_utf8("\xED\x9F\xBF"));          // U+D7FF, just below surrogates
    CHECK(valid_utf8(std::string("a\0b", 3)));  // NUL is valid UTF-8
}

TEST_CASE("valid_utf8 rejects malformed text", "[utf8][hostile]") {
    CHECK_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(valid_utf8("\xC1\xBF"));          // overlong
    CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
    CHECK_FALSE(valid_utf8("\xF0\x80\x80\xAF"));  // overlong, 4 bytes
    CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800 surrogate
    CHECK_FALSE(valid_utf8("\xED\xBF\xBF"));      // U+DFFF surrogate
    CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
    CHECK_FALSE(valid_utf8("\xF5\x80\x80\x80"));
    CHECK_FALSE(valid_utf8("\xFF"));
    CHECK_FALSE(valid_utf8("\x80"));              // stray continuation
    CHECK_FALSE(valid_utf8("abc\xD0"));           // truncated 2-byte
    CHECK_FALSE(valid_utf8("\xE2\x82"));          // truncated 3-byte
    CHECK_FALSE(valid_utf8("\xF0\x9F\x98"));      // truncated 4-byte
    CHECK_FALSE(valid_utf8("\xE2\x28\xA1"));      // bad continuation
    CHECK_FALSE(valid_utf8("\xD0\xD0"));
}

TEST_CASE("utf8_length counts code points", "[utf8]") {
    CHECK(utf8_length("") == 0);
    CHECK(utf8_length("abc") == 3);
    CHECK(utf8_length("София") == 5);
    CHECK(utf8_length("\xF0\x9F\x98\x80!") == 2);
    CHECK(utf8_length(std::string(10000, 'x')) == 10000);

    std::string cyrillic;
    for (int i = 0; i < 10000; ++i) cyrillic += "ж";
    CHECK(valid_utf8(cyrillic));
    CHECK(utf8_length(cyrillic) == 10000);
}

TEST_CASE("has_control_chars", "[utf8]") {
    CHECK_FALSE(has_control_chars("", false));
    CHECK_FALSE(has_control_chars("Обикновен текст", false));
    CHECK(has_control_chars("a\nb", false));
    CHECK_FALSE(has_control_chars("a\nb\r\n\tc", true));
    CHECK(has_control_chars(std::string("a\0b", 3), true));
    CHECK(has_control_chars("a\x1b[31m", true));
    CHECK(has_control_chars("a\x7f", true));
    CHECK(has_control_chars("\x01", true));
    CHECK_FALSE(has_control_chars(std::string(10000, 'x'), false));
}

TEST_CASE("to_lower_utf8 handles Latin and Cyrillic", "[utf8]") {
    CHECK(to_lower_utf8("") == "");
    CHECK(to_lower_utf8("Hello WORLD") == "hello world");
    CHECK(to_lower_utf8("СОФИЯ") == "софия");
    CHECK(to_lower_utf8("Ivan@Example.COM") == "ivan@example.com");
    CHECK(to_lower_utf8("I") == "i");  // root locale, not Turkish
    CHECK(to_lower_utf8("123 - !") == "123 - !");
}

TEST_CASE("trim removes the given characters at both ends only") {
    CHECK(sabor::util::trim("  Иван Петров\t\r\n") == "Иван Петров");
    CHECK(sabor::util::trim(" \n ") == "");
    CHECK(sabor::util::trim("a b") == "a b");
    CHECK(sabor::util::trim("\tред\n", " \t") == "ред\n");  // line breaks kept when not asked
}
