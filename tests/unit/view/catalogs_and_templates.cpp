#include "view/i18n.hpp"
#include "view/templates.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace sabor::view;
namespace fs = std::filesystem;

namespace {
const fs::path web = fs::path(SABOR_SOURCE_DIR) / "web";
}

TEST_CASE("the catalogs have the same keys, and every key a template uses exists") {
    i18n texts(web / "i18n", "bg");
    const auto& bg = texts.catalog("bg");
    std::regex use(R"(\{\{[#^/]?[tp]\.([a-z0-9_]+)\}\})");  // p: a printed page's own language
    std::set<std::string> missing;
    for (const auto& entry : fs::recursive_directory_iterator(web / "templates")) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path());
        std::stringstream ss;
        ss << in.rdbuf();
        auto text = ss.str();
        for (auto it = std::sregex_iterator(text.begin(), text.end(), use); it != std::sregex_iterator(); ++it)
            if (!bg.contains((*it)[1].str())) missing.insert((*it)[1].str());
    }
    CHECK(missing.empty());
    for (const auto& [k, v] : bg) CHECK_FALSE(std::string(texts.catalog("en").at(k).as_string()).empty());
}

TEST_CASE("messages fill placeholders and Accept-Language picks a supported locale") {
    i18n texts(web / "i18n", "bg");
    CHECK(texts.text("bg", "error_too_long", {{"max", "200"}}) == "Текстът е твърде дълъг (най-много 200 знака).");
    CHECK(texts.text("en", "error_too_long", {{"max", "200"}}) == "The text is too long (at most 200 characters).");
    CHECK(texts.text("de", "nav_past") == "Минали събития");
    CHECK(texts.from_accept_language("en-GB,en;q=0.9") == "en");
    CHECK(texts.from_accept_language("de-DE,de;q=0.9,en;q=0.5,bg;q=0.8") == "bg");
    CHECK(texts.from_accept_language("fr") == "bg");
    CHECK(texts.from_accept_language("") == "bg");
}

TEST_CASE("a message key missing from the catalogs is an error under test") {
    i18n texts(web / "i18n", "bg");
    CHECK(texts.has("bg", "nav_past"));
    CHECK_FALSE(texts.has("bg", "no_such_key_anywhere"));
    // ctest runs the unit tests with SABOR_TEST_STRICT_TEMPLATES=1: a typo in a key used
    // from C++ fails the test that reaches it, instead of showing the key to a user.
    REQUIRE(sabor::view::strict_checks());
    CHECK_THROWS_AS(texts.text("bg", "no_such_key_anywhere"), i18n_error);
}

TEST_CASE("templates escape what users typed and include partials") {
    templates pages(web / "templates");
    CHECK(pages.has("layout"));
    CHECK(pages.has("events/show"));
    boost::json::object data{{"title", "<script>alert(1)</script>"}, {"content", "<p>ok</p>"}, {"lang", "bg"}};
    auto html = pages.render("layout", data);
    CHECK(html.find("<script>alert(1)</script>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;") != std::string::npos);
    CHECK(html.find("<p>ok</p>") != std::string::npos);  // {{{content}}} is ours, raw
    CHECK(html.find("<html lang=\"bg\">") != std::string::npos);
}

TEST_CASE("a broken template stops the start with its name") {
    char tmpl[] = "/tmp/sabor-tpl-XXXXXX";
    fs::path dir = mkdtemp(tmpl);
    std::ofstream(dir / "good.mustache") << "{{title}}";
    std::ofstream(dir / "broken.mustache") << "{{#open}} never closed";
    CHECK_THROWS_WITH(templates(dir), Catch::Contains("broken"));
    fs::remove(dir / "broken.mustache");
    std::ofstream(dir / "uses.mustache") << "{{> nowhere}}";
    CHECK_THROWS_WITH(templates(dir), Catch::Contains("partial \"nowhere\""));
    fs::remove_all(dir);
}
