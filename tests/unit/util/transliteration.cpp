#include "util/translit.hpp"
#include "util/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sabor::util;

TEST_CASE("transliterate_bg maps the whole alphabet", "[translit]") {
    CHECK(transliterate_bg("абвгдежзийклмнопрстуфхцчшщъьюя") ==
          "abvgdezhziyklmnoprstufhtschshshtayyuya");
    CHECK(transliterate_bg("") == "");
}

TEST_CASE("transliterate_bg word-final ия", "[translit]") {
    CHECK(transliterate_bg("България") == "Bulgaria");
    CHECK(transliterate_bg("София") == "Sofia");
    CHECK(transliterate_bg("Юлия") == "Yulia");
    CHECK(transliterate_bg("София, България.") == "Sofia, Bulgaria.");
    // Not at the end of a word: regular "ya".
    CHECK(transliterate_bg("Ияна") == "Iyana");
    CHECK(transliterate_bg("заявя") == "zayavya");
}

TEST_CASE("transliterate_bg spells the country Bulgaria", "[translit]") {
    CHECK(transliterate_bg("българия") == "bulgaria");
    CHECK(transliterate_bg("Република България") == "Republika Bulgaria");
    // Only the country's name is special; ъ is "a" everywhere else.
    CHECK(transliterate_bg("български") == "balgarski");
    CHECK(transliterate_bg("Българията") == "Balgariyata");
    CHECK(transliterate_bg("Ъгъл") == "Agal");
}

TEST_CASE("transliterate_bg keeps capitalisation", "[translit]") {
    CHECK(transliterate_bg("Жаба") == "Zhaba");
    CHECK(transliterate_bg("Щастие") == "Shtastie");
    CHECK(transliterate_bg("ЖАБА") == "ZHABA");
    CHECK(transliterate_bg("БЪЛГАРИЯ") == "BULGARIA");
    CHECK(transliterate_bg("НПО") == "NPO");
    CHECK(transliterate_bg("Ж") == "Zh");
}

TEST_CASE("transliterate_bg passes other text through", "[translit][hostile]") {
    CHECK(transliterate_bg("Forum 2030!") == "Forum 2030!");
    CHECK(transliterate_bg("Café €") == "Café €");
    CHECK(transliterate_bg("„Общини“") == "„Obshtini“");
    // Invalid bytes are copied, not dropped or crashed on.
    CHECK(transliterate_bg("a\xC0\xAF" "б") == "a\xC0\xAF" "b");
    CHECK(transliterate_bg("\xD0") == "\xD0");
}

TEST_CASE("slugify examples", "[translit]") {
    CHECK(slugify("Капацитет") == "kapatsitet");
    CHECK(slugify("Форум „Общини и НПО“ 2030") == "forum-obshtini-i-npo-2030");
    CHECK(slugify("Социална България") == "sotsialna-bulgaria");
    CHECK(slugify("Щастие") == "shtastie");
    CHECK(slugify("Юлия") == "yulia");
    CHECK(slugify("  --Hello,   World!--  ") == "hello-world");
    CHECK(slugify("Café au lait") == "caf-au-lait");
}

TEST_CASE("slugify falls back to event", "[translit][hostile]") {
    CHECK(slugify("") == "event");
    CHECK(slugify("---") == "event");
    CHECK(slugify("日本語") == "event");
    CHECK(slugify("\xC0\xAF\xFF") == "event");
}

TEST_CASE("slugify respects max_len", "[translit]") {
    CHECK(slugify("alpha beta gamma", 12) == "alpha-beta");
    CHECK(slugify("alpha beta gamma", 10) == "alpha-beta");
    CHECK(slugify("alpha beta gamma", 11) == "alpha-beta");
    CHECK(slugify("abcdefghij", 4) == "abcd");  // no boundary: hard cut

    const std::string long_word(10000, 'a');
    CHECK(slugify(long_word) == std::string(80, 'a'));

    std::string words;
    for (int i = 0; i < 2000; ++i) words += "дума ";
    const std::string slug = slugify(words);
    CHECK(slug.size() <= 80);
    CHECK(slug.back() != '-');
    CHECK(slug.front() == 'd');
}

TEST_CASE("slugify output is always safe", "[translit][hostile]") {
    const std::string slug = slugify("<script>alert(1)</script> ../../etc/passwd");
    CHECK(slug == "script-alert-1-script-etc-passwd");
    for (char c : slug) {
        CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
    }
}
