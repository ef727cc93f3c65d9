#include "materials/filename.hpp"
#include "util/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sabor::materials;
using namespace std::string_literals;

TEST_CASE("clean_filename keeps the last path part", "[filename]") {
    CHECK(clean_filename("slides.pdf") == "slides.pdf");
    CHECK(clean_filename("../../etc/passwd") == "passwd");
    CHECK(clean_filename(R"(C:\Users\Мария\Презентация.pptx)") == "Презентация.pptx");
    CHECK(clean_filename("a/b\\c/d.docx") == "d.docx");
    CHECK(clean_filename("\xFF\xFE/ok.pdf") == "ok.pdf");  // only the last part has to be UTF-8
    CHECK(clean_filename("Презентация – Община Русе.pdf") == "Презентация – Община Русе.pdf");
    CHECK(clean_filename("\"quoted\".pdf") == "\"quoted\".pdf");
}

TEST_CASE("clean_filename removes what could hide or harm", "[filename][hostile]") {
    CHECK(clean_filename("a\0b.pdf"s) == "ab.pdf");
    CHECK(clean_filename("evil.php\0.pdf"s) == "evil.php.pdf");
    CHECK(clean_filename("line\r\nbreak.pdf") == "line break.pdf");
    CHECK(clean_filename("tab\there.pdf") == "tab here.pdf");
    CHECK(clean_filename("a \t  b\xC2\xA0 c.pdf") == "a b c.pdf");
    CHECK(clean_filename("bell\x07\x7f.pdf") == "bell.pdf");
    CHECK(clean_filename("c1\xC2\x85\xC2\x9B.pdf") == "c1 .pdf");  // U+0085 is a line break, U+009B a control
    CHECK(clean_filename("invoice\xE2\x80\xAE" "fdp.exe") == "invoicefdp.exe");   // RIGHT-TO-LEFT OVERRIDE
    CHECK(clean_filename("zero\xE2\x80\x8Bwidth.pdf") == "zerowidth.pdf");
    CHECK(clean_filename(".htaccess") == "htaccess");
    CHECK(clean_filename("  . . x.pdf  ") == "x.pdf");
    CHECK(clean_filename("...pdf") == "pdf");
    CHECK(clean_filename("x.pdf.") == "x.pdf.");
}

TEST_CASE("clean_filename gives nullopt when nothing usable is left", "[filename][hostile]") {
    CHECK(clean_filename("") == std::nullopt);
    CHECK(clean_filename("...") == std::nullopt);
    CHECK(clean_filename(". .") == std::nullopt);
    CHECK(clean_filename("   ") == std::nullopt);
    CHECK(clean_filename("/") == std::nullopt);
    CHECK(clean_filename("dir/") == std::nullopt);
    CHECK(clean_filename("C:\\") == std::nullopt);
    CHECK(clean_filename("\0\r\n"s) == std::nullopt);
    // Not UTF-8: we do not guess (windows-1251, an overlong '/', a lone continuation byte).
    CHECK(clean_filename("\xCF\xF0\xE5\xE7\xE5\xED\xF2\xE0\xF6\xE8\xFF.pdf") == std::nullopt);
    CHECK(clean_filename("a\xC0\xAF" "b.pdf") == std::nullopt);
    CHECK(clean_filename("\x80.pdf") == std::nullopt);
}

TEST_CASE("clean_filename composes decomposed letters", "[filename]") {
    // "й" as и + COMBINING BREVE, as macOS file systems store it.
    CHECK(clean_filename("Стоянов\xD0\xB8\xCC\x86.pdf") == "Стоянов\xD0\xB9.pdf");
}

TEST_CASE("clean_filename keeps at most 200 bytes, whole code points and the extension", "[filename]") {
    std::string ya;
    for (int i = 0; i < 150; ++i) ya += "Я";  // 300 bytes
    const auto with_ext = clean_filename(ya + ".pptx");
    REQUIRE(with_ext);
    CHECK(with_ext->size() == 199);  // 97 letters (194 bytes): a 98th would split at byte 195
    CHECK(with_ext->ends_with("Я.pptx"));
    CHECK(sabor::util::valid_utf8(*with_ext));

    const auto even = clean_filename("ab" + ya + ".pdf");
    REQUIRE(even);
    CHECK(even->size() == 200);
    CHECK(even->ends_with("Я.pdf"));

    const auto no_ext = clean_filename(ya);
    REQUIRE(no_ext);
    CHECK(no_ext->size() == 200);
    CHECK(sabor::util::valid_utf8(*no_ext));

    // A "long extension" is not one: the name is simply cut.
    const auto long_ext = clean_filename("x." + ya);
    REQUIRE(long_ext);
    CHECK(long_ext->size() == 200);
    CHECK(sabor::util::valid_utf8(*long_ext));

    // Spaces before the kept extension go.
    const auto spaced = clean_filename(std::string(195, 'w') + "    xy.pdf");
    REQUIRE(spaced);
    CHECK(*spaced == std::string(195, 'w') + ".pdf");

    const std::string exact = std::string(196, 'e') + ".pdf";
    CHECK(clean_filename(exact) == exact);
}

TEST_CASE("content_disposition follows RFC 6266", "[filename]") {
    CHECK(content_disposition("slides.pdf") == R"(attachment; filename="slides.pdf")");
    CHECK(content_disposition("slides.pdf", true) == R"(inline; filename="slides.pdf")");
    CHECK(content_disposition("") == "attachment");
    CHECK(content_disposition("Презентация – Община Русе.pdf") ==
          "attachment; filename=\"Prezentatsia - Obshtina Ruse.pdf\"; filename*=UTF-8''"
          "%D0%9F%D1%80%D0%B5%D0%B7%D0%B5%D0%BD%D1%82%D0%B0%D1%86%D0%B8%D1%8F%20%E2%80%93%20"
          "%D0%9E%D0%B1%D1%89%D0%B8%D0%BD%D0%B0%20%D0%A0%D1%83%D1%81%D0%B5.pdf");
    CHECK(content_disposition("\"quoted\".pdf") == R"(attachment; filename="_quoted_.pdf"; filename*=UTF-8''%22quoted%22.pdf)");
    CHECK(content_disposition("报告.pdf") == R"(attachment; filename="__.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf)");
    CHECK(content_disposition("Доклад България 2030.pptx").starts_with(R"(attachment; filename="Doklad Bulgaria 2030.pptx"; )"));
    CHECK(content_disposition("„Общини“ ‘a’ b…c.pdf").starts_with(R"(attachment; filename="_Obshtini_ 'a' b...c.pdf"; )"));
}

TEST_CASE("content_disposition cannot be used to inject headers", "[filename][hostile]") {
    const std::string h = content_disposition("a;b\\c%41\r\nSet-Cookie: x=1\0.pdf"s);
    CHECK(h.find('\r') == std::string::npos);
    CHECK(h.find('\n') == std::string::npos);
    CHECK(h.find('\0') == std::string::npos);
    CHECK(h ==
          "attachment; filename=\"a_b_c_41__Set-Cookie: x=1_.pdf\"; "
          "filename*=UTF-8''a%3Bb%5Cc%2541%0D%0ASet-Cookie%3A%20x%3D1%00.pdf");
    // Invalid UTF-8 (never from clean_filename) is still made safe.
    CHECK(content_disposition("\xFF.pdf") == R"(attachment; filename="_.pdf"; filename*=UTF-8''%FF.pdf)");
}
