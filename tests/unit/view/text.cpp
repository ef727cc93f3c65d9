#include "view/text.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sabor::view;

TEST_CASE("html_escape", "[text]") {
    CHECK(html_escape("") == "");
    CHECK(html_escape("plain текст") == "plain текст");
    CHECK(html_escape("a & b < c > d \" e ' f") ==
          "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    CHECK(html_escape("<script>alert(1)</script>") ==
          "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK(html_escape("&amp;") == "&amp;amp;");  // no double-decoding tricks
    const std::string big(10000, '<');
    std::string expected;
    for (int i = 0; i < 10000; ++i) expected += "&lt;";
    CHECK(html_escape(big) == expected);
}

TEST_CASE("render_description paragraphs and line breaks", "[text]") {
    CHECK(render_description("") == "");
    CHECK(render_description("\n\n  \n") == "");
    CHECK(render_description("Hello") == "<p>Hello</p>");
    CHECK(render_description("one\ntwo") == "<p>one<br>\ntwo</p>");
    CHECK(render_description("one\n\ntwo") == "<p>one</p>\n<p>two</p>");
    CHECK(render_description("one\r\n\r\n\r\ntwo\r\nthree\r\n") ==
          "<p>one</p>\n<p>two<br>\nthree</p>");
    CHECK(render_description("\n\none\n \t\ntwo\n\n") == "<p>one</p>\n<p>two</p>");
    CHECK(render_description("old\rmac") == "<p>old<br>\nmac</p>");
}

TEST_CASE("render_description escapes everything", "[text][hostile]") {
    CHECK(render_description("<script>alert(1)</script>") ==
          "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    CHECK(render_description("<img src=x onerror=alert(1)>") ==
          "<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    CHECK(render_description("Tom & \"Jerry\" 'n' co") ==
          "<p>Tom &amp; &quot;Jerry&quot; &#39;n&#39; co</p>");
}

TEST_CASE("render_description links http(s) URLs", "[text]") {
    CHECK(render_description("See https://example.com/a?b=1&c=2 now") ==
          "<p>See <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener nofollow\">"
          "https://example.com/a?b=1&amp;c=2</a> now</p>");
    CHECK(render_description("http://x.bg") ==
          "<p><a href=\"http://x.bg\" rel=\"noopener nofollow\">http://x.bg</a></p>");
    // Trailing punctuation stays outside the link.
    CHECK(render_description("Visit https://x.bg/page.") ==
          "<p>Visit <a href=\"https://x.bg/page\" rel=\"noopener nofollow\">https://x.bg/page</a>.</p>");
    CHECK(render_description("(https://x.bg/a), and https://x.bg/b?!") ==
          "<p>(<a href=\"https://x.bg/a\" rel=\"noopener nofollow\">https://x.bg/a</a>), and "
          "<a href=\"https://x.bg/b\" rel=\"noopener nofollow\">https://x.bg/b</a>?!</p>");
    CHECK(render_description("a https://x.bg\nb") ==
          "<p>a <a href=\"https://x.bg\" rel=\"noopener nofollow\">https://x.bg</a><br>\nb</p>");
    // Case-insensitive scheme, text preserved.
    CHECK(render_description("HTTPS://X.BG") ==
          "<p><a href=\"HTTPS://X.BG\" rel=\"noopener nofollow\">HTTPS://X.BG</a></p>");
}

TEST_CASE("render_description does not link dangerous or broken URLs", "[text][hostile]") {
    CHECK(render_description("javascript:alert(1)") == "<p>javascript:alert(1)</p>");
    CHECK(render_description("data:text/html,<b>x</b>") ==
          "<p>data:text/html,&lt;b&gt;x&lt;/b&gt;</p>");
    CHECK(render_description("ftp://x.bg") == "<p>ftp://x.bg</p>");
    CHECK(render_description("https://") == "<p>https://</p>");
    CHECK(render_description("https://...") == "<p>https://...</p>");
    CHECK(render_description("xhttps://x.bg") == "<p>xhttps://x.bg</p>");
    // Quotes and angle brackets end the URL, so attributes cannot be broken.
    CHECK(render_description("https://x.bg/\"onmouseover=\"alert(1)") ==
          "<p><a href=\"https://x.bg/\" rel=\"noopener nofollow\">https://x.bg/</a>"
          "&quot;onmouseover=&quot;alert(1)</p>");
    CHECK(render_description("https://x.bg/<script>") ==
          "<p><a href=\"https://x.bg/\" rel=\"noopener nofollow\">https://x.bg/</a>"
          "&lt;script&gt;</p>");
    // Single quotes stay in the URL but are escaped.
    CHECK(render_description("https://x.bg/'a'") ==
          "<p><a href=\"https://x.bg/&#39;a&#39;\" rel=\"noopener nofollow\">"
          "https://x.bg/&#39;a&#39;</a></p>");
}

TEST_CASE("render_description on large input", "[text][hostile]") {
    const std::string big(10000, 'a');
    CHECK(render_description(big) == "<p>" + big + "</p>");

    std::string many_urls;
    for (int i = 0; i < 1000; ++i) many_urls += "http://a.b ";
    const std::string html = render_description(many_urls);
    std::size_t links = 0;
    for (std::size_t p = html.find("<a "); p != std::string::npos; p = html.find("<a ", p + 1)) ++links;
    CHECK(links == 1000);

    const std::string newlines(10000, '\n');
    CHECK(render_description(newlines) == "");
    CHECK(render_description("https://" + std::string(10000, '.')) ==
          "<p>https://" + std::string(10000, '.') + "</p>");
}
