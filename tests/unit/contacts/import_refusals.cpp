#include "contacts/refusal.hpp"
#include "view/i18n.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

using namespace sabor;
using namespace sabor::contacts;

TEST_CASE("every import refusal and skip reason has its own code and a message in both languages", "[contacts]") {
    view::i18n texts(std::filesystem::path(SABOR_SOURCE_DIR) / "web" / "i18n", "bg");
    std::set<std::string> codes;
    auto check = [&](auto r) {
        INFO(code(r));
        CHECK(codes.insert(std::string(code(r))).second);
        CHECK(message_key(r) == "error_" + std::string(code(r)));
        for (const char* lang : view::i18n::locales) CHECK(texts.has(lang, message_key(r)));
    };
    for (auto r : {import_refusal::too_large, import_refusal::empty, import_refusal::encoding, import_refusal::not_xlsx,
                   import_refusal::no_header, import_refusal::missing_columns, import_refusal::broken_quoting})
        check(r);
    for (auto r : {skip_reason::control_chars, skip_reason::too_long, skip_reason::missing_name, skip_reason::missing_email,
                   skip_reason::bad_email, skip_reason::bad_organisation_type})
        check(r);
    CHECK(codes.size() == 13);
}
