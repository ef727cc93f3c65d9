#include "events/repository.hpp"
#include "events/service.hpp"
#include "storage/migrations.hpp"
#include "view/dates.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace sabor;

namespace {
boost::json::object valid_body() {
    return boost::json::parse(R"({"title": "Капацитет", "kind": "seminar",
        "starts_at": "2030-08-11T10:00:00+03:00", "ends_at": "2030-08-11T17:00:00+03:00",
        "city": "Русе", "capacity": 108, "organisers": ["Община Русе"]})").as_object();
}
}  // namespace

TEST_CASE("a valid JSON body becomes an event") {
    events::field_errors errors;
    events::event e;
    events::apply(e, events::patch_from_json(valid_body(), errors), errors);
    CHECK(errors.empty());
    CHECK(e.title == "Капацитет");
    CHECK(e.capacity == 108);
    CHECK(view::format_iso_utc(e.starts_at) == "2030-08-11T07:00:00Z");
    CHECK(e.organisers == std::vector<std::string>{"Община Русе"});
}

TEST_CASE("bad input is refused field by field") {
    auto check = [](boost::json::object body, const std::string& field, const std::string& key) {
        events::field_errors errors;
        events::event e;
        events::apply(e, events::patch_from_json(body, errors), errors);
        INFO(field);
        REQUIRE(errors.count(field));
        CHECK(errors.at(field).key == key);
    };
    auto b = valid_body();
    b["ends_at"] = "2030-08-11T09:00:00+03:00";
    check(b, "ends_at", "error_end_before_start");
    b = valid_body();
    b["title"] = "";
    check(b, "title", "error_required");
    b = valid_body();
    b["title"] = std::string(10000, 'a');
    check(b, "title", "error_too_long");
    b = valid_body();
    b["kind"] = "party";
    check(b, "kind", "error_unknown_kind");
    b = valid_body();
    b["capacity"] = "many";
    check(b, "capacity", "error_capacity");
    b = valid_body();
    b["capacity"] = -5;
    check(b, "capacity", "error_capacity");
    b = valid_body();
    b["colour"] = "red";
    check(b, "colour", "error_unknown_field");
    b = valid_body();
    b["status"] = "published";
    check(b, "status", "error_read_only");
    b = valid_body();
    b["venue"] = "Зала\r\nBcc: x@y";
    check(b, "venue", "error_control_chars");
    b = valid_body();
    b["starts_at"] = "2030-02-30T10:00:00+02:00";
    check(b, "starts_at", "error_bad_time");
    b = valid_body();
    b["organisers"] = "Община";
    check(b, "organisers", "error_must_be_list");
    b = valid_body();
    b["title"] = std::string("\xC0\xAF", 2);
    check(b, "title", "error_invalid_utf8");
}

TEST_CASE("forms read local times in the event's zone and one organisation per line") {
    events::field_errors errors;
    std::vector<std::pair<std::string, std::string>> form{
        {"title", "Форум"}, {"kind", "forum"}, {"starts_at", "2030-01-15T10:00"}, {"ends_at", "2030-01-15T12:30"},
        {"organisers", "Община Габрово\r\n\r\nФондация „Местни общности“\r\n"}, {"capacity", ""}, {"csrf_token", "x"}};
    events::event e;
    events::apply(e, events::patch_from_form(form, "Europe/Sofia", errors), errors);
    CHECK(errors.empty());
    CHECK(view::format_iso_utc(e.starts_at) == "2030-01-15T08:00:00Z");
    CHECK(e.organisers.size() == 2);
    CHECK(e.capacity == 0);
}

TEST_CASE("slugs are transliterated and unique") {
    char tmpl[] = "/tmp/sabor-events-XXXXXX";
    std::filesystem::path dir = mkdtemp(tmpl);
    {
        storage::database db((dir / "t.db").string());
        storage::migrate(db);
        events::repository repo(db);
        events::event e;
        e.title = "Капацитет";
        e.starts_at = 1900000000;
        e.ends_at = 1900003600;
        repo.insert(e, 0);
        CHECK(e.slug == "kapatsitet");
        events::event f = e;
        repo.insert(f, 0);
        CHECK(f.slug == "kapatsitet-2");
        auto back = repo.find_by_slug("kapatsitet-2");
        REQUIRE(back);
        CHECK(back->starts_at == 1900000000);
    }
    std::filesystem::remove_all(dir);
}
