// libFuzzer target for the contacts importer's CSV side: UTF-8 (with or without a BOM),
// UTF-16 LE/BE with a BOM and Windows-1251, any delimiter. Whatever comes in, the result is
// either a refusal (import_error) or rows whose every field is valid
// UTF-8 with a plausible address, never more rows than the limit.
#include "contacts/csv_import.hpp"
#include "fuzz_common.hpp"

#include <cstdint>
#include <string>

using namespace sabor::contacts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::string encoding;
    if (auto text = decode_to_utf8(bytes, &encoding)) fuzz::check_utf8(*text, "decoded text is not UTF-8");
    try {
        auto r = parse_csv(bytes);
        fuzz::check(r.rows.size() <= max_import_rows, "more rows than the limit");
        for (const auto& row : r.rows) {
            for (const auto* f : {&row.name, &row.email, &row.organisation, &row.position, &row.organisation_type,
                                  &row.town, &row.phone})
                fuzz::check_utf8(*f, "a field is not UTF-8");
            fuzz::check(!row.name.empty() && !row.email.empty(), "a row without a name or an address");
            fuzz::check(row.email.find('@') != std::string::npos, "an address without @");
            for (const auto& t : row.tags) fuzz::check_utf8(t, "a tag is not UTF-8");
        }
        for (const auto& s : r.skipped) fuzz::check_utf8(s.value, "a skipped row's value is not UTF-8");
        for (const auto& c : r.unknown_columns) fuzz::check_utf8(c, "an ignored column's name is not UTF-8");
    } catch (const import_error&) {
        // A refusal: its reason is a typed value, nothing left to check.
    }
    return 0;
}
