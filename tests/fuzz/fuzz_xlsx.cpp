// libFuzzer target for the XLSX side of the contacts importer (libzip + expat over the
// workbook, then the same mapping as CSV). A broken or hostile workbook (zip bombs, deep
// XML, shared strings out of range) is refused (an import_error), never a crash; what is
// read is valid UTF-8.
#include "contacts/csv_import.hpp"
#include "contacts/xlsx_reader.hpp"
#include "fuzz_common.hpp"

#include <cstdint>

using namespace sabor::contacts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        auto r = parse_xlsx(bytes);
        fuzz::check(r.rows.size() <= max_import_rows, "more rows than the limit");
        for (const auto& row : r.rows) {
            for (const auto* f : {&row.name, &row.email, &row.organisation, &row.town, &row.phone})
                fuzz::check_utf8(*f, "a field is not UTF-8");
        }
    } catch (const import_error&) {
        // A refusal: its reason is a typed value, nothing left to check.
    }
    return 0;
}
