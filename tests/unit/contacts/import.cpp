#include "contacts/csv_import.hpp"
#include "contacts/xlsx_reader.hpp"

#include <catch2/catch.hpp>
#include <unicode/unistr.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace sabor::contacts;

namespace {

// Excel's "CSV (разделен със запетаи)" on a Bulgarian Windows: semicolons, CRLF, an empty row
// written as separators only. The fixture tests/fixtures/contacts/obshtini-1251.csv is exactly
// this text run through `iconv -f utf-8 -t windows-1251`.
const std::string sample_utf8 =
    "Име;Имейл;Организация;Длъжност;Етикети;Тип на организацията;Град;Телефон\r\n"
    "Иван Петров;ivan.petrov@sofia.bg;Столична община;Кмет;\"кметове; 2025\";община;София;+359 2 123 4567\r\n"
    "Мария Иванова;Maria.Ivanova@Plovdiv.BG;\"Областна администрация, Пловдив\r\n"
    "Отдел „Регионално развитие“\";Главен експерт;експерти|регионално развитие;областна администрация;"
    "Пловдив;032 123 456\r\n"
    "Азбука Главна;azbuka@example.bg;АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯ;абвгдежзийклмнопрстуфхцчшщъьюя;"
    "№ 1, «тест»;НПО;Ямбол;\r\n"
    "Щастлива Жълтева-Юрукова;shtastliva@example.bg;Сдружение „Ючбунар“ – Ямбол;Председател;НПО;"
    "неправителствена организация;Ямбол;0888 123 456\r\n"
    ";;;;;;;\r\n";

std::string encode(const std::string& utf8, const char* charset) {
    auto u = icu::UnicodeString::fromUTF8(utf8);
    const int32_t need = u.extract(0, u.length(), nullptr, 0, charset);
    std::string out(static_cast<std::size_t>(need), '\0');
    u.extract(0, u.length(), out.data(), static_cast<uint32_t>(out.size()), charset);
    return out;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Everything a result holds, one line a row, so two results compare in one CHECK.
std::string dump(const import_result& r) {
    std::string s = "encoding=" + r.encoding + " delimiter=" + std::string(1, r.delimiter) +
                    " merged=" + std::to_string(r.merged) + "\n";
    for (const auto& c : r.rows) {
        s += std::to_string(c.line) + "|" + c.name + "|" + c.email + "|" + c.organisation + "|" + c.position + "|" +
             c.organisation_type + "|" + c.town + "|" + c.phone + "|";
        for (const auto& t : c.tags) s += "[" + t + "]";
        s += "\n";
    }
    for (const auto& k : r.skipped) s += "skipped " + std::to_string(k.line) + " " + message_key(k.reason) + " " + k.value + "\n";
    for (const auto& u : r.unknown_columns) s += "unknown " + u + "\n";
    return s;
}

// The message key of the whole-file refusal, or "" when the file is accepted.
template <typename F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const import_error& e) {
        return message_key(e.reason);
    }
    return {};
}

std::string csv_refusal(const std::string& bytes) {
    return refusal([&] { parse_csv(bytes); });
}
std::string xlsx_refusal(const std::string& bytes) {
    return refusal([&] { parse_xlsx(bytes); });
}

const skipped_row* skipped_on(const import_result& r, std::size_t line) {
    for (const auto& k : r.skipped)
        if (k.line == line) return &k;
    return nullptr;
}

// A private file name in the temporary folder, removed at the end of the test.
struct temp_path {
    std::filesystem::path path;
    explicit temp_path(const std::string& ext) {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("sabor-contacts-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ext);
    }
    ~temp_path() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

// A zip archive with the given entries (name, content), as bytes.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
    temp_path tmp(".zip");
    int err = 0;
    zip_t* za = zip_open(tmp.path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    REQUIRE(za);
    for (const auto& [name, data] : entries) {
        zip_source_t* src = zip_source_buffer(za, data.data(), data.size(), 0);
        REQUIRE(src);
        REQUIRE(zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    REQUIRE(zip_close(za) == 0);
    return read_file(tmp.path);
}

const std::string rels_root =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>)"
    R"(</Relationships>)";
const std::string workbook_xml =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const std::string workbook_rels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(</Relationships>)";

// The smallest workbook: one sheet whose <sheetData> is given, no shared strings.
std::string xlsx_with_sheet_data(const std::string& sheet_data) {
    const std::string sheet =
        R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
        R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
        sheet_data + "</sheetData></worksheet>";
    return make_zip({{"_rels/.rels", rels_root},
                     {"xl/workbook.xml", workbook_xml},
                     {"xl/_rels/workbook.xml.rels", workbook_rels},
                     {"xl/worksheets/sheet1.xml", sheet}});
}

std::string inline_cell(const std::string& ref, const std::string& text) {
    return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
}

}  // namespace

// ---- Encodings ----------------------------------------------------------------------------

TEST_CASE("the fixture is the sample in Windows-1251, as ICU encodes it", "[contacts]") {
    const auto fixture = read_file(std::filesystem::path(SABOR_SOURCE_DIR) / "tests/fixtures/contacts/obshtini-1251.csv");
    REQUIRE_FALSE(fixture.empty());
    CHECK(fixture == encode(sample_utf8, "windows-1251"));
}

TEST_CASE("UTF-8, UTF-8 with BOM and Windows-1251 give the same contacts", "[contacts]") {
    const auto utf8 = parse_csv(sample_utf8);
    const auto bom = parse_csv("\xEF\xBB\xBF" + sample_utf8);
    const auto cp1251 = parse_csv(encode(sample_utf8, "windows-1251"));
    const auto fixture =
        parse_csv(read_file(std::filesystem::path(SABOR_SOURCE_DIR) / "tests/fixtures/contacts/obshtini-1251.csv"));

    CHECK(utf8.encoding == "utf-8");
    CHECK(bom.encoding == "utf-8");
    CHECK(cp1251.encoding == "windows-1251");
    CHECK(fixture.encoding == "windows-1251");
    CHECK(utf8.delimiter == ';');
    CHECK(cp1251.delimiter == ';');

    auto strip_encoding = [](import_result r) {
        r.encoding.clear();
        return dump(r);
    };
    CHECK(strip_encoding(utf8) == strip_encoding(bom));
    CHECK(strip_encoding(utf8) == strip_encoding(cp1251));
    CHECK(strip_encoding(utf8) == strip_encoding(fixture));

    REQUIRE(fixture.rows.size() == 4);
    CHECK(fixture.skipped.empty());
    CHECK(fixture.unknown_columns.empty());
    CHECK(fixture.merged == 0);

    const auto& ivan = fixture.rows[0];
    CHECK(ivan.line == 2);
    CHECK(ivan.name == "Иван Петров");
    CHECK(ivan.email == "ivan.petrov@sofia.bg");
    CHECK(ivan.organisation == "Столична община");
    CHECK(ivan.position == "Кмет");
    CHECK(ivan.tags == std::vector<std::string>{"кметове", "2025"});
    CHECK(ivan.organisation_type == "municipality");
    CHECK(ivan.town == "София");
    CHECK(ivan.phone == "+359 2 123 4567");

    // The quoted field with a comma and a line break (Alt+Enter): one record, the break a space.
    const auto& maria = fixture.rows[1];
    CHECK(maria.line == 3);
    CHECK(maria.email == "maria.ivanova@plovdiv.bg");
    CHECK(maria.organisation == "Областна администрация, Пловдив Отдел „Регионално развитие“");
    CHECK(maria.tags == std::vector<std::string>{"експерти", "регионално развитие"});
    CHECK(maria.organisation_type == "regional_administration");

    const auto& alphabet = fixture.rows[2];
    CHECK(alphabet.line == 5);  // the quoted line break moved it down one line
    CHECK(alphabet.organisation == "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯ");
    CHECK(alphabet.position == "абвгдежзийклмнопрстуфхцчшщъьюя");
    CHECK(alphabet.tags == std::vector<std::string>{"№ 1", "«тест»"});
    CHECK(alphabet.organisation_type == "ngo");
    CHECK(alphabet.phone.empty());

    const auto& last = fixture.rows[3];
    CHECK(last.line == 6);
    CHECK(last.name == "Щастлива Жълтева-Юрукова");
    CHECK(last.organisation == "Сдружение „Ючбунар“ – Ямбол");
    CHECK(last.organisation_type == "ngo");
}

TEST_CASE("decode_to_utf8 recognises what Excel writes and nothing else", "[contacts]") {
    std::string enc;
    SECTION("UTF-8, the BOM stripped") {
        CHECK(decode_to_utf8("\xEF\xBB\xBFИме", &enc) == "Име");
        CHECK(enc == "utf-8");
        CHECK(decode_to_utf8("name,email", &enc) == "name,email");
        CHECK(enc == "utf-8");
    }
    SECTION("UTF-16 with a BOM (Excel's Unicode text)") {
        const std::string text = "Име\tИмейл\r\nЙордан\tj@example.bg\r\n";
        CHECK(decode_to_utf8("\xFF\xFE" + encode(text, "UTF-16LE"), &enc) == text);
        CHECK(enc == "utf-16le");
        CHECK(decode_to_utf8("\xFE\xFF" + encode(text, "UTF-16BE"), &enc) == text);
        CHECK(enc == "utf-16be");
    }
    SECTION("Windows-1251") {
        CHECK(decode_to_utf8(encode("Име;Имейл\nЖеко;zh@example.bg\n", "windows-1251"), &enc) ==
              "Име;Имейл\nЖеко;zh@example.bg\n");
        CHECK(enc == "windows-1251");
        CHECK(decode_to_utf8(encode("Община „Ямбол“ – № 5, «изток»", "windows-1251"), nullptr) ==
              "Община „Ямбол“ – № 5, «изток»");
    }
    SECTION("UTF-16 without a BOM") {
        CHECK_FALSE(decode_to_utf8(encode("Име;Имейл\r\nИван;ivan@example.bg\r\n", "UTF-16LE"), &enc));
        CHECK_FALSE(decode_to_utf8(encode("Име;Имейл\r\nИван;ivan@example.bg\r\n", "UTF-16BE"), &enc));
        CHECK_FALSE(decode_to_utf8(encode("name;email\r\nIvan;ivan@example.bg\r\n", "UTF-16LE"), &enc));
    }
    SECTION("binary") {
        std::mt19937 gen(20250101);
        std::string random(4096, '\0'), high(4096, '\0');
        for (auto& c : random) c = static_cast<char>(gen() & 0xFF);
        for (auto& c : high) c = static_cast<char>(0x80 | (gen() & 0x7F));  // no NUL, no ASCII
        CHECK_FALSE(decode_to_utf8(random, &enc));
        CHECK_FALSE(decode_to_utf8(high, &enc));
        CHECK_FALSE(decode_to_utf8(std::string_view("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), &enc));
    }
    SECTION("Windows-1251 with Latin text and typographic punctuation only") {
        const std::string text = "Name;Email;Organisation\r\nJohn Smith;john@example.com;„Acme“ – Sofia\r\n";
        CHECK(decode_to_utf8(encode(text, "windows-1251"), &enc) == text);
        CHECK(enc == "windows-1251");
    }
    SECTION("Latin-1 text with no Cyrillic") {
        const auto latin1 = encode("Name;Email\nJosé Müller;jose@example.de\nFrançois Léger;f@example.fr\n", "ISO-8859-1");
        CHECK_FALSE(decode_to_utf8(latin1, &enc));
    }
}

// ---- Whole-file refusals ------------------------------------------------------------------

TEST_CASE("a CSV that cannot be imported is refused with a reason", "[contacts]") {
    CHECK(csv_refusal("") == "error_import_empty");
    CHECK(csv_refusal("\xEF\xBB\xBF") == "error_import_empty");
    CHECK(csv_refusal("\r\n\r\n;;;\r\n") == "error_import_empty");
    CHECK(csv_refusal("Име;Имейл;Организация\r\n") == "error_import_empty");          // a header only
    CHECK(csv_refusal("Име;Имейл;Организация\r\n;;\r\n\r\n") == "error_import_empty");  // and empty rows

    CHECK(csv_refusal(encode("Име;Имейл\r\nИван;ivan@example.bg\r\n", "UTF-16LE")) == "error_import_encoding");
    std::mt19937 gen(7);
    std::string binary(2048, '\0');
    for (auto& c : binary) c = static_cast<char>(gen() & 0xFF);
    CHECK(csv_refusal(binary) == "error_import_encoding");
    CHECK(csv_refusal(encode("Name;Email\nJosé Müller;jose@example.de\n", "ISO-8859-1")) == "error_import_encoding");

    CHECK(csv_refusal("Иван Петров;ivan@example.bg\r\nМария;maria@example.bg\r\n") == "error_import_no_header");
    CHECK(csv_refusal("Иван Петров;ivan@example.bg;Община\r\n") == "error_import_no_header");  // data, not a header

    SECTION("a missing e-mail column is named") {
        try {
            parse_csv("Име;Организация;Телефон\r\nИван;Община Ямбол;0888\r\n");
            FAIL("accepted");
        } catch (const import_error& e) {
            CHECK(message_key(e.reason) == "error_import_missing_columns");
            CHECK(e.missing == std::vector<std::string>{"email"});
            CHECK(std::string(e.what()).find("email") != std::string::npos);
        }
        try {
            parse_csv("Организация;Телефон\r\nОбщина Ямбол;0888\r\n");
            FAIL("accepted");
        } catch (const import_error& e) {
            CHECK(message_key(e.reason) == "error_import_missing_columns");
            CHECK(e.missing == std::vector<std::string>{"name", "email"});
            CHECK(std::string(e.what()) == "missing columns: name, email");
        }
    }
    SECTION("an unterminated quote says where it opened") {
        try {
            parse_csv("Име;Имейл\r\nИван;ivan@example.bg\r\n\"Мария;maria@example.bg\r\nПетър;p@example.bg\r\n");
            FAIL("accepted");
        } catch (const import_error& e) {
            CHECK(message_key(e.reason) == "error_import_broken_quoting");
            CHECK(e.line == 3);
        }
    }
    SECTION("too large") {
        CHECK(csv_refusal(std::string(max_import_bytes + 1, 'a')) == "error_import_too_large");
        std::string many = "name,email\n";
        for (std::size_t i = 0; i <= max_import_rows; ++i) many += "a,b\n";
        CHECK(csv_refusal(many) == "error_import_too_large");
    }
}

// ---- Rows ---------------------------------------------------------------------------------

TEST_CASE("bad rows are skipped with a reason, good ones kept", "[contacts]") {
    std::string cyrillic_201, cyrillic_200;
    for (int i = 0; i < 201; ++i) cyrillic_201 += "ж";
    for (int i = 0; i < 200; ++i) cyrillic_200 += "ж";
    const std::string long_email = std::string(64, 'a') + "@" + std::string(63, 'b') + "." + std::string(63, 'c') +
                                   "." + std::string(63, 'd') + ".bg";  // 258 characters

    const std::string csv =
        "Име,Имейл,Вид организация\n"
        "Иван Петров,ivan@example.bg,община\n"                 // 2 fine
        "Мария,maria@,\n"                                       // 3
        "Петър,petar,\n"                                        // 4
        "Стоян,stoyan petrov@example.bg,\n"                     // 5
        "Никола,никола@пример.бг,\n"                            // 6
        "Гергана,a@b,\n"                                        // 7
        "Янка,\"<yanka@example.bg>\",\n"                        // 8
        "\"Иван\r\nBcc: x@evil.example\",ivan2@example.bg,\n"   // 9 (the record spans 9-10)
        "Борис,\"boris@example.bg\r\nBcc: x@evil.example\",\n"  // 11 (11-12)
        ",nobody@example.bg,\n"                                 // 13
        "Без адрес,,\n"                                         // 14
        + cyrillic_201 + ",long@example.bg,\n"                  // 15
        + cyrillic_200 + ",ok200@example.bg,\n"                 // 16 fine
        "Дълъг,\"" + long_email + "\",\n"                       // 17
        "Тип,type@example.bg,кметство\n"                        // 18
        "Звън\x07,bell@example.bg,\n"                           // 19
        "Табулация,tab@example.bg,\"училище\tили университет\"\n"  // 20 fine: a tab outside name/e-mail
        "  Яна   Генова  ,  MAILTO:Yana@Example.BG ,  Фирма \n";  // 21 fine

    const auto r = parse_csv(csv);
    CHECK(r.delimiter == ',');
    REQUIRE(r.rows.size() == 4);
    CHECK(r.rows[0].email == "ivan@example.bg");
    CHECK(r.rows[1].line == 16);
    CHECK(r.rows[1].name == cyrillic_200);
    CHECK(r.rows[2].organisation_type == "school_or_university");
    CHECK(r.rows[3].line == 21);
    CHECK(r.rows[3].name == "Яна Генова");
    CHECK(r.rows[3].email == "yana@example.bg");
    CHECK(r.rows[3].organisation_type == "business");

    auto reason = [&](std::size_t line) {
        const auto* k = skipped_on(r, line);
        return k ? message_key(k->reason) : std::string("(kept)");
    };
    for (std::size_t line : {3, 4, 5, 6, 7, 8}) {
        INFO("line " << line);
        CHECK(reason(line) == "error_import_bad_email");
    }
    CHECK(skipped_on(r, 3)->value == "maria@");
    CHECK(reason(9) == "error_import_control_chars");
    CHECK(skipped_on(r, 9)->value.find('\r') == std::string::npos);
    CHECK(skipped_on(r, 9)->value.find('\n') == std::string::npos);
    CHECK(skipped_on(r, 9)->value.rfind("Иван", 0) == 0);
    CHECK(reason(11) == "error_import_control_chars");
    CHECK(reason(13) == "error_import_missing_name");
    CHECK(skipped_on(r, 13)->value == "nobody@example.bg");
    CHECK(reason(14) == "error_import_missing_email");
    CHECK(skipped_on(r, 14)->value == "Без адрес");
    CHECK(reason(15) == "error_import_too_long");
    CHECK(skipped_on(r, 15)->value.size() < 300);  // cut for display
    CHECK(reason(17) == "error_import_too_long");
    CHECK(reason(18) == "error_import_bad_organisation_type");
    CHECK(skipped_on(r, 18)->value == "кметство");
    CHECK(reason(19) == "error_import_control_chars");
    CHECK(skipped_on(r, 19)->value == "Звън\xEF\xBF\xBD");
    CHECK(r.skipped.size() == 14);
}

TEST_CASE("the same e-mail twice makes one contact", "[contacts]") {
    const auto r = parse_csv(
        "Name,E-Mail,Organisation,Position,Tags,Town,Phone\n"
        "Ivan Petrov,Ivan.Petrov@Example.BG,Municipality of Sofia,,mayors,,\n"
        "Maria Ivanova,maria@example.bg,,,,,\n"
        "I. Petrov,ivan.petrov@example.bg,Other name,Mayor,\"Mayors;2025|board\",Sofia,+359 2 1234\n"
        "Ivan P.,  IVAN.PETROV@EXAMPLE.BG ,,Deputy,Board,,0888\n");
    REQUIRE(r.rows.size() == 2);
    CHECK(r.merged == 2);
    const auto& ivan = r.rows[0];
    CHECK(ivan.line == 2);
    CHECK(ivan.name == "Ivan Petrov");                      // the first row's
    CHECK(ivan.email == "ivan.petrov@example.bg");
    CHECK(ivan.organisation == "Municipality of Sofia");    // not overwritten
    CHECK(ivan.position == "Mayor");                        // a gap filled by the first later value
    CHECK(ivan.town == "Sofia");
    CHECK(ivan.phone == "+359 2 1234");
    CHECK(ivan.tags == std::vector<std::string>{"mayors", "2025", "board"});  // united, case-blind
    CHECK(r.rows[1].email == "maria@example.bg");
}

TEST_CASE("headers in either language, unknown columns reported", "[contacts]") {
    SECTION("English, any case, extra spaces; unknown columns listed once") {
        const auto r = parse_csv(
            "  FULL   NAME ,E-mail,Notes,Organization,Job title,organisation_type,City,Phone,Notes,\r\n"
            "Ivan Petrov,ivan@example.bg,VIP,Sofia Municipality,Mayor,Regional Administration,Sofia,123,x,\r\n");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.unknown_columns == std::vector<std::string>{"Notes"});
        CHECK(r.rows[0].name == "Ivan Petrov");
        CHECK(r.rows[0].organisation == "Sofia Municipality");
        CHECK(r.rows[0].position == "Mayor");
        CHECK(r.rows[0].organisation_type == "regional_administration");
        CHECK(r.rows[0].town == "Sofia");
    }
    SECTION("Bulgarian variants; a title row above the header; town from the first filled column") {
        const auto r = parse_csv(
            "Участници в срещата;;;;\n"
            "\n"
            "ИМЕ И ФАМИЛИЯ;Електронна поща;Населено място;Община;Бележки\n"
            "Иван;ivan@example.bg;;Ямбол;\n"
            "Мария;maria@example.bg;с. Тенево;Тунджа;\n");
        CHECK(r.unknown_columns == std::vector<std::string>{"Бележки"});
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].line == 4);
        CHECK(r.rows[0].town == "Ямбол");
        CHECK(r.rows[1].town == "с. Тенево");
    }
    SECTION("Excel's sep= line and LF line ends") {
        const auto r = parse_csv("sep=|\nИме|Имейл|Етикети\nИван|ivan@example.bg|\"а;б,в\"\n");
        CHECK(r.delimiter == '|');
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0].line == 3);
        CHECK(r.rows[0].tags == std::vector<std::string>{"а", "б", "в"});
    }
    SECTION("UTF-16 Unicode text with tabs") {
        const auto r = parse_csv("\xFF\xFE" + encode("Име\tИмейл\r\nЙордан\tj@example.bg\r\n", "UTF-16LE"));
        CHECK(r.encoding == "utf-16le");
        CHECK(r.delimiter == '\t');
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0].name == "Йордан");
    }
    SECTION("quotes: doubled inside, a lone CR as line end, a last line without one") {
        const auto r = parse_csv("name,email,organisation\r\"Ivan \"\"the\"\" First\",ivan@example.bg,\"a,b\"\rMaria,m@example.bg,x");
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].name == "Ivan \"the\" First");
        CHECK(r.rows[0].organisation == "a,b");
        CHECK(r.rows[1].line == 3);
        CHECK(r.rows[1].organisation == "x");
    }
}

TEST_CASE("organisation types: codes and labels", "[contacts]") {
    CHECK(organisation_type_code("") == "");
    CHECK(organisation_type_code("  ") == "");
    CHECK(organisation_type_code("municipality") == "municipality");
    CHECK(organisation_type_code("School_or_University") == "school_or_university");
    CHECK(organisation_type_code("Областна администрация") == "regional_administration");
    CHECK(organisation_type_code("ДЪРЖАВНА ИНСТИТУЦИЯ") == "state_institution");
    CHECK(organisation_type_code("НПО") == "ngo");
    CHECK(organisation_type_code("Неправителствена  организация") == "ngo");
    CHECK(organisation_type_code("Университет") == "school_or_university");
    CHECK(organisation_type_code("фирма") == "business");
    CHECK(organisation_type_code("Друго") == "other");
    CHECK_FALSE(organisation_type_code("кметство"));
    CHECK_FALSE(organisation_type_code("other stuff"));
}

// ---- XLSX ---------------------------------------------------------------------------------

namespace {

// A workbook as organisers make them: a header, Cyrillic, a phone typed as a number, an empty
// cell in the middle, an empty row, a rich text cell, a second sheet that must be ignored.
std::string contacts_workbook(bool constant_memory) {
    temp_path tmp(".xlsx");
    lxw_workbook_options options{};
    options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
    lxw_workbook* wb = workbook_new_opt(tmp.path.c_str(), &options);
    REQUIRE(wb);
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Контакти");
    lxw_worksheet* other = workbook_add_worksheet(wb, "Друго");
    lxw_format* bold = workbook_add_format(wb);
    format_set_bold(bold);

    const char* header[] = {"Име и фамилия", "E-mail", "Организация", "Длъжност", "Телефон", "Град", "Бележка"};
    for (lxw_col_t c = 0; c < 7; ++c) worksheet_write_string(ws, 0, c, header[c], bold);

    worksheet_write_string(ws, 1, 0, "Иван Петров", nullptr);
    worksheet_write_string(ws, 1, 1, "Ivan@Sofia.BG", nullptr);
    worksheet_write_string(ws, 1, 2, "Столична община", nullptr);
    // D2 (position) left empty
    worksheet_write_number(ws, 1, 4, 359888123456.0, nullptr);
    worksheet_write_string(ws, 1, 5, "София", nullptr);

    worksheet_write_string(ws, 2, 0, "Мария Иванова", nullptr);
    worksheet_write_string(ws, 2, 1, "maria@example.bg", nullptr);
    lxw_rich_string_tuple plain{nullptr, const_cast<char*>("Областна ")};
    lxw_rich_string_tuple strong{bold, const_cast<char*>("администрация")};
    lxw_rich_string_tuple* rich[] = {&plain, &strong, nullptr};
    worksheet_write_rich_string(ws, 2, 2, rich, nullptr);
    worksheet_write_string(ws, 2, 3, "Главен експерт", nullptr);
    worksheet_write_number(ws, 2, 4, 24567, nullptr);
    worksheet_write_boolean(ws, 2, 6, 1, nullptr);

    // row 4 (index 3) empty
    worksheet_write_string(ws, 4, 0, "И. Петров", nullptr);
    worksheet_write_string(ws, 4, 1, "IVAN@sofia.bg", nullptr);
    worksheet_write_string(ws, 4, 3, "Юрисконсулт", nullptr);
    worksheet_write_number(ws, 4, 6, 0.25, nullptr);

    worksheet_write_string(ws, 5, 0, "Иван\r\nBcc: x@evil.example", nullptr);
    worksheet_write_string(ws, 5, 1, "evil@example.bg", nullptr);

    worksheet_write_string(other, 0, 0, "Не е този лист", nullptr);
    REQUIRE(workbook_close(wb) == LXW_NO_ERROR);
    return read_file(tmp.path);
}

}  // namespace

TEST_CASE("XLSX written by libxlsxwriter reads back cell by cell", "[contacts]") {
    for (bool constant_memory : {false, true}) {  // shared strings, then inline strings
        INFO("constant_memory " << constant_memory);
        const auto rows = read_first_sheet(contacts_workbook(constant_memory));
        REQUIRE(rows.size() == 5);
        CHECK(rows[0].number == 1);
        CHECK(rows[0].cells[0] == "Име и фамилия");
        CHECK(rows[4].cells[0] == "Иван\r\nBcc: x@evil.example");
        CHECK(rows[1].number == 2);
        REQUIRE(rows[1].cells.size() == 6);
        CHECK(rows[1].cells[2] == "Столична община");
        CHECK(rows[1].cells[3].empty());
        CHECK(rows[1].cells[4] == "359888123456");
        CHECK(rows[1].cells[5] == "София");
        CHECK(rows[2].cells[4] == "24567");
        CHECK(rows[2].cells[6] == "TRUE");
        CHECK(rows[3].number == 5);
        CHECK(rows[3].cells[6] == "0.25");
        if (!constant_memory) CHECK(rows[2].cells[2] == "Областна администрация");  // rich text runs
    }
}

TEST_CASE("XLSX contacts go through the same checks as CSV", "[contacts]") {
    const auto r = parse_xlsx(contacts_workbook(false));
    CHECK(r.encoding == "xlsx");
    CHECK(r.unknown_columns == std::vector<std::string>{"Бележка"});
    REQUIRE(r.rows.size() == 2);
    CHECK(r.merged == 1);
    const auto& ivan = r.rows[0];
    CHECK(ivan.line == 2);
    CHECK(ivan.name == "Иван Петров");
    CHECK(ivan.email == "ivan@sofia.bg");
    CHECK(ivan.phone == "359888123456");
    CHECK(ivan.position == "Юрисконсулт");  // from row 5, merged
    CHECK(r.rows[1].line == 3);
    CHECK(r.rows[1].organisation == "Областна администрация");
    REQUIRE(r.skipped.size() == 1);
    CHECK(r.skipped[0].line == 6);
    CHECK(message_key(r.skipped[0].reason) == "error_import_control_chars");
}

TEST_CASE("XLSX from other producers: prefixes, no cell references, a renamed workbook", "[contacts]") {
    const std::string root =
        R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
        R"(<Relationship Id="a" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>)"
        R"(<Relationship Id="b" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/book.xml"/>)"
        R"(</Relationships>)";
    const std::string book =
        R"(<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
        R"(xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
        R"(<x:sheets><x:sheet name="Диаграма" sheetId="4" rel:id="c1"/><x:sheet name="Контакти" sheetId="3" rel:id="s2"/><x:sheet name="Б" sheetId="1" rel:id="s1"/></x:sheets></x:workbook>)";
    const std::string book_rels =
        R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
        R"(<Relationship Id="c1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>)"
        R"(<Relationship Id="s1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="sheets/b.xml"/>)"
        R"(<Relationship Id="s2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="sheets/../sheets/a.xml"/>)"
        R"(<Relationship Id="t" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="text.xml"/>)"
        R"(<Relationship Id="u" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.bg/" TargetMode="External"/>)"
        R"(</Relationships>)";
    const std::string strings =
        R"(<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">)"
        R"(<x:si><x:t>Име</x:t></x:si>)"
        R"(<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>Имейл</x:t></x:r></x:si>)"
        R"(<x:si><x:t xml:space="preserve">Йордан </x:t><x:rPh sb="0" eb="1"><x:t>ヨルダン</x:t></x:rPh></x:si>)"
        R"(<x:si><x:r><x:t>jordan@</x:t></x:r><x:r><x:t>example.bg</x:t></x:r></x:si>)"
        R"(</x:sst>)";
    const std::string sheet_a =
        R"(<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>)"
        R"(<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="str"><x:f>"Те"&amp;"л"</x:f><x:v>Тел</x:v></x:c></x:row>)"
        R"(<x:row><x:c t="s"><x:v>2</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c><x:v>3.59888123456E+11</x:v></x:c></x:row>)"
        R"(<x:row><x:c t="inlineStr"><x:is><x:t>Иван_x000D__x000A_Bcc: x</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>x_x005F_x0041_@example.bg</x:t></x:is></x:c></x:row>)"
        R"(<x:row r="7"><x:c r="B7" t="inlineStr"><x:is><x:t>late@example.bg</x:t></x:is></x:c><x:c r="A7" t="inlineStr"><x:is><x:t>Късен</x:t></x:is></x:c></x:row>)"
        R"(</x:sheetData></x:worksheet>)";
    const std::string sheet_b = R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>)";
    const auto bytes = make_zip({{"_rels/.rels", root},
                                 {"xl/book.xml", book},
                                 {"xl/_rels/book.xml.rels", book_rels},
                                 {"xl/text.xml", strings},
                                 {"xl/sheets/a.xml", sheet_a},
                                 {"xl/sheets/b.xml", sheet_b}});
    const auto rows = read_first_sheet(bytes);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].number == 1);
    CHECK(rows[0].cells == std::vector<std::string>{"Име", "Имейл", "Тел"});
    CHECK(rows[1].number == 2);
    CHECK(rows[1].cells == std::vector<std::string>{"Йордан ", "jordan@example.bg", "359888123456"});
    CHECK(rows[2].number == 3);  // _xHHHH_ escapes decoded, an escaped "_x0041_" left as typed
    CHECK(rows[2].cells == std::vector<std::string>{"Иван\r\nBcc: x", "x_x0041_@example.bg"});
    CHECK(rows[3].number == 7);
    CHECK(rows[3].cells == std::vector<std::string>{"Късен", "late@example.bg"});

    const auto r = parse_xlsx(bytes);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].name == "Йордан");
    CHECK(r.rows[0].phone == "359888123456");
    CHECK(r.rows[1].line == 7);
    REQUIRE(r.skipped.size() == 1);
    CHECK(r.skipped[0].line == 3);
    CHECK(message_key(r.skipped[0].reason) == "error_import_control_chars");
}

TEST_CASE("XLSX that is not a workbook or too big is refused", "[contacts]") {
    CHECK(xlsx_refusal("") == "error_import_empty");
    CHECK(xlsx_refusal("Име;Имейл\r\nИван;ivan@example.bg\r\n") == "error_import_not_xlsx");
    CHECK(xlsx_refusal(std::string("PK\x03\x04", 4) + std::string(100, '\x01')) == "error_import_not_xlsx");
    CHECK(xlsx_refusal(make_zip({{"hello.txt", "здравей"}})) == "error_import_not_xlsx");
    CHECK(xlsx_refusal(make_zip({{"_rels/.rels", rels_root}, {"xl/workbook.xml", workbook_xml}})) ==
          "error_import_not_xlsx");  // no relationships, no sheet
    CHECK(xlsx_refusal(make_zip({{"xl/workbook.xml", "<workbook><sheets>"}})) == "error_import_not_xlsx");
    CHECK(xlsx_refusal(xlsx_with_sheet_data("<row><c t=\"s\"><v>5</v></c></row>")) == "error_import_not_xlsx");
    CHECK(xlsx_refusal(xlsx_with_sheet_data("<row><c r=\"XFE1\"><v>1</v></c></row>")) == "error_import_not_xlsx");

    SECTION("a DTD (entity expansion) is refused") {
        const std::string bomb =
            R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>)"
            R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)"
            R"(<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>)";
        CHECK(xlsx_refusal(make_zip({{"_rels/.rels", rels_root},
                                     {"xl/workbook.xml", workbook_xml},
                                     {"xl/_rels/workbook.xml.rels", workbook_rels},
                                     {"xl/worksheets/sheet1.xml", bomb}})) == "error_import_not_xlsx");
    }
    SECTION("a part over 64 MiB (a zip bomb: it compresses to little)") {
        std::string sheet = R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
        sheet.append(64u * 1024 * 1024, ' ');
        sheet += "</sheetData></worksheet>";
        const auto bytes = make_zip({{"_rels/.rels", rels_root},
                                     {"xl/workbook.xml", workbook_xml},
                                     {"xl/_rels/workbook.xml.rels", workbook_rels},
                                     {"xl/worksheets/sheet1.xml", sheet}});
        CHECK(bytes.size() < 1024 * 1024);
        CHECK(xlsx_refusal(bytes) == "error_import_too_large");
    }
    SECTION("limits: bytes inflated, rows, cells, shared text") {
        std::string data;
        for (int i = 1; i <= 20; ++i)
            data += "<row r=\"" + std::to_string(i) + "\">" + inline_cell("A" + std::to_string(i), "Име") +
                    inline_cell("B" + std::to_string(i), "a@example.bg") + "</row>";
        const auto bytes = xlsx_with_sheet_data(data);
        CHECK(read_first_sheet(bytes).size() == 20);
        auto key = [&](xlsx_limits l) {
            try {
                read_first_sheet(bytes, l);
            } catch (const xlsx_error& e) {
                return message_key(e.reason);
            }
            return std::string();
        };
        xlsx_limits l;
        l.max_entry_bytes = 1000;
        CHECK(key(l) == "error_import_too_large");
        l = {};
        l.max_rows = 19;
        CHECK(key(l) == "error_import_too_large");
        l = {};
        l.max_cells = 39;
        CHECK(key(l) == "error_import_too_large");
        l = {};
        l.max_text_bytes = 100;
        CHECK(key(l) == "error_import_too_large");

        // One far-right cell a row would otherwise make 16,384 slots each.
        std::string wide;
        for (int i = 1; i <= 10; ++i) wide += "<row>" + inline_cell("XFD" + std::to_string(i), "x") + "</row>";
        const auto wide_bytes = xlsx_with_sheet_data(wide);
        l = {};
        l.max_cells = 100'000;
        CHECK_THROWS_AS(read_first_sheet(wide_bytes, l), xlsx_error);
        CHECK(read_first_sheet(wide_bytes).size() == 10);
    }
}

// ---- Hostile input ------------------------------------------------------------------------

TEST_CASE("mangled files are refused or read, never crash", "[contacts][hostile]") {
    std::mt19937 gen(1251);
    auto mangle = [&](std::string s) {
        const int edits = 1 + static_cast<int>(gen() % 8);
        for (int i = 0; i < edits && !s.empty(); ++i) {
            const std::size_t at = gen() % s.size();
            switch (gen() % 4) {
            case 0: s[at] = static_cast<char>(gen() & 0xFF); break;
            case 1: s.erase(at, 1 + gen() % 16); break;
            case 2: s.insert(at, 1, "\";,\r\n\0\xC0\xFF"[gen() % 8]); break;
            default: s.resize(at); break;
            }
        }
        return s;
    };
    auto survives = [](auto&& parse, const std::string& bytes) {
        try {
            const auto r = parse(bytes);
            for (const auto& c : r.rows) {
                if (c.name.empty() || c.email.empty()) return false;
                if (c.name.find_first_of("\r\n") != std::string::npos) return false;
            }
        } catch (const import_error&) {
            // refused as a whole: fine
        }
        return true;
    };
    const auto cp1251 = encode(sample_utf8, "windows-1251");
    const auto xlsx = contacts_workbook(false);
    for (int i = 0; i < 300; ++i) {
        CHECK(survives(parse_csv, mangle(sample_utf8)));
        CHECK(survives(parse_csv, mangle(cp1251)));
        CHECK(survives(parse_xlsx, mangle(xlsx)));
    }
    // A sound zip around mangled XML reaches the parsers themselves.
    const std::string sheet_data = "<row r=\"1\">" + inline_cell("A1", "Име") + inline_cell("B1", "Имейл") +
                                   "</row><row r=\"2\">" + inline_cell("A2", "Иван_x000D_Петров") +
                                   "<c r=\"B2\" t=\"inlineStr\"><is><r><t>ivan@</t></r><r><t>example.bg</t></r></is></c>"
                                   "<c r=\"C2\"><v>1.5E+3</v></c><c r=\"D2\" t=\"b\"><v>1</v></c></row>";
    CHECK(parse_xlsx(xlsx_with_sheet_data(sheet_data)).skipped.size() == 1);  // the _x000D_ in the name
    for (int i = 0; i < 150; ++i) CHECK(survives(parse_xlsx, xlsx_with_sheet_data(mangle(sheet_data))));
}

TEST_CASE("the name joined from its parts: Име Презиме Фамилия", "[contacts]") {
    SECTION("the usual Bulgarian sheet: Име;Фамилия") {
        const auto r = parse_csv("Име;Фамилия;Имейл\r\nИван;Петров;ivan@example.bg\r\nМария;;maria@example.bg\r\n");
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].name == "Иван Петров");
        CHECK(r.rows[1].name == "Мария");
        CHECK(r.unknown_columns.empty());
    }
    SECTION("Презиме between, whatever the columns' order") {
        const auto r = parse_csv("Фамилия;Имейл;Презиме;Име\r\nПетров;ivan@example.bg;Георгиев;Иван\r\n");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0].name == "Иван Георгиев Петров");
    }
    SECTION("English headers") {
        const auto r = parse_csv(
            "First name,Middle name,Last name,Email\r\nIvan,G.,Petrov,ivan@example.bg\r\n");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0].name == "Ivan G. Petrov");
        const auto s = parse_csv("Name,Surname,E-mail\r\nMaria,Ivanova,maria@example.bg\r\n");
        REQUIRE(s.rows.size() == 1);
        CHECK(s.rows[0].name == "Maria Ivanova");
    }
    SECTION("a first-name cell that already holds the surname does not get it twice") {
        const auto r = parse_csv("Име;Фамилия;Имейл\r\nИван Петров;Петров;ivan@example.bg\r\nИван;Иванов;i2@example.bg\r\n");
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].name == "Иван Петров");
        CHECK(r.rows[1].name == "Иван Иванов");
    }
    SECTION("a column for the whole name wins over the parts; alone, Име is the whole name") {
        const auto r = parse_csv("Име и фамилия;Фамилия;Имейл\r\nИван Петров;Петров;ivan@example.bg\r\n;Стоянова;petya@example.bg\r\n");
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].name == "Иван Петров");
        CHECK(r.rows[1].name == "Стоянова");
        const auto s = parse_csv("Име;Имейл\r\nИван Петров;ivan@example.bg\r\n");
        CHECK(s.rows.at(0).name == "Иван Петров");
    }
    SECTION("a surname alone is a name column; a row with no part of a name is skipped") {
        const auto r = parse_csv("Фамилия;Имейл\r\nПетров;ivan@example.bg\r\n;x@example.bg\r\n");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0].name == "Петров");
        REQUIRE(r.skipped.size() == 1);
        CHECK(message_key(r.skipped[0].reason) == "error_import_missing_name");
    }
    SECTION("XLSX the same way") {
        const auto book = xlsx_with_sheet_data(
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Име</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Презиме</t></is></c>"
            "<c r=\"C1\" t=\"inlineStr\"><is><t>Фамилия</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>Имейл</t></is></c></row>"
            "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Петя</t></is></c><c r=\"B2\" t=\"inlineStr\"><is><t>Иванова</t></is></c>"
            "<c r=\"C2\" t=\"inlineStr\"><is><t>Стоянова</t></is></c><c r=\"D2\" t=\"inlineStr\"><is><t>petya@example.bg</t></is></c></row>");
        const auto r = parse_xlsx(book);
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0].name == "Петя Иванова Стоянова");
    }
}

TEST_CASE("every ignored column is reported, with or without a header", "[contacts]") {
    const auto r = parse_csv("Име;Фамилия;Имейл;Бележки;;\r\nИван;Петров;ivan@example.bg;VIP;;стая 5\r\nМария;;m@example.bg;;x;\r\n");
    CHECK(r.unknown_columns == std::vector<std::string>{"Бележки"});
    CHECK(r.unnamed_columns == std::vector<std::size_t>{5, 6});
    const auto s = parse_csv("Име;Имейл;\r\nИван;ivan@example.bg;\r\n");  // Excel's trailing empty column: nothing to report
    CHECK(s.unnamed_columns.empty());
}
