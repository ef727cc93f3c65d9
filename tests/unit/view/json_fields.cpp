#include "view/json_fields.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sabor::view;
namespace json = boost::json;

namespace {

constexpr json_field table[] = {
    {.name = "title", .type = json_type::text, .required = true},
    {.name = "count", .type = json_type::integer},
    {.name = "on", .type = json_type::boolean},
    {.name = "tags", .type = json_type::list},
    {.name = "more", .type = json_type::object},
    {.name = "talk_id", .type = json_type::integer, .nullable = true, .error = "error_unknown_talk"},
    {.name = "offset_minutes", .type = json_type::integer, .reported_as = "offset"},
    {.name = "anything"},
    {.name = "sent_at", .ignored = true},
};

json::object obj(const char* text) { return json::parse(text).as_object(); }

std::string key_of(const field_errors& e, const std::string& field) {
    auto it = e.find(field);
    return it == e.end() ? std::string("(none)") : it->second.key;
}

}  // namespace

TEST_CASE("a body that fits the table gives its values", "[json_fields]") {
    auto o = obj(R"({"title": "Доклад", "count": 3, "on": false, "tags": ["a"], "more": {"x": 1},
                     "talk_id": null, "offset_minutes": 1440, "anything": [1, "two"], "sent_at": 5})");
    field_errors e;
    json_fields in(o, table, e);
    CHECK(e.empty());
    CHECK(in.ok());
    CHECK(in.text("title") == "Доклад");
    CHECK(in.integer("count") == 3);
    CHECK(in.boolean("on") == false);
    REQUIRE(in.list("tags"));
    CHECK(in.list("tags")->size() == 1);
    REQUIRE(in.object("more"));
    CHECK(in.is_null("talk_id"));
    CHECK_FALSE(in.integer("talk_id"));
    CHECK(in.integer("offset_minutes") == 1440);
    CHECK(in.get("anything")->is_array());
    CHECK_FALSE(in.has("sent_at"));  // accepted, not read
    // What the table does not name is a mistake in the code, not in the body.
    CHECK_THROWS_AS(in.get("colour"), std::logic_error);
}

TEST_CASE("fields left out are absent; a required one is reported", "[json_fields]") {
    field_errors e;
    auto o = obj("{}");
    json_fields in(o, table, e);
    CHECK_FALSE(in.ok());
    CHECK(e.size() == 1);
    CHECK(key_of(e, "title") == "error_required");
    CHECK_FALSE(in.has("count"));
    CHECK_FALSE(in.text("title"));
    CHECK_FALSE(in.is_null("talk_id"));
}

TEST_CASE("unknown fields and wrong types get the keys every API answers", "[json_fields][hostile]") {
    auto o = obj(R"({"title": 5, "count": "3", "on": "yes", "tags": "a", "more": [], "talk_id": "x",
                     "offset_minutes": 1.5, "colour": "red", "Цвят": 1})");
    field_errors e;
    json_fields in(o, table, e);
    CHECK_FALSE(in.ok());
    CHECK(key_of(e, "title") == "error_must_be_text");  // present, so a wrong type, not missing
    CHECK(key_of(e, "count") == "error_must_be_number");
    CHECK(key_of(e, "on") == "error_must_be_bool");
    CHECK(key_of(e, "tags") == "error_must_be_list");
    CHECK(key_of(e, "more") == "error_must_be_object");
    CHECK(key_of(e, "talk_id") == "error_unknown_talk");
    CHECK(key_of(e, "offset") == "error_must_be_number");
    CHECK(key_of(e, "offset_minutes") == "(none)");
    CHECK(key_of(e, "colour") == "error_unknown_field");
    CHECK(key_of(e, "Цвят") == "error_unknown_field");
    CHECK(e.size() == 9);
    // A value of the wrong type is not handed out.
    CHECK_FALSE(in.text("title"));
    CHECK_FALSE(in.integer("count"));
    CHECK_FALSE(in.has("more"));
}

TEST_CASE("null is a value only where the table allows it", "[json_fields][hostile]") {
    field_errors e;
    auto o = obj(R"({"title": null, "talk_id": null, "anything": null})");
    json_fields in(o, table, e);
    CHECK(key_of(e, "title") == "error_must_be_text");
    CHECK(in.is_null("talk_id"));
    CHECK(in.is_null("anything"));  // any type takes null too
    CHECK(e.size() == 1);
}

TEST_CASE("errors go under the prefix; a key that is not UTF-8 is reported as ?", "[json_fields][hostile]") {
    json::object o;
    o["title"] = "x";
    o[std::string("\xC0\xAF")] = 1;  // built by hand: the parser refuses such a key
    o[std::string("\xFF\xFE")] = 2;
    o["on"] = 1;
    field_errors e{{"other", {"error_required", {}}}};
    json_fields in(o, table, e, "items[3].");
    CHECK(key_of(e, "items[3].?") == "error_unknown_field");
    CHECK(key_of(e, "items[3].on") == "error_must_be_bool");
    CHECK(key_of(e, "other") == "error_required");  // errors of others stay
    CHECK(e.size() == 3);
    for (const auto& [field, _] : e) CHECK(field.find('\xC0') == std::string::npos);
}

TEST_CASE("integers: negative, and beyond the signed range", "[json_fields][hostile]") {
    field_errors e;
    auto o = obj(R"({"title": "t", "count": -7, "offset_minutes": 18446744073709551615})");
    json_fields in(o, table, e);
    CHECK(e.empty());
    CHECK(in.integer("count") == -7);
    CHECK(in.integer("offset_minutes") == std::numeric_limits<std::int64_t>::max());
    field_errors e2;
    auto o2 = obj(R"({"title": "t", "count": 1e3, "on": 0})");
    json_fields big(o2, table, e2);
    CHECK(key_of(e2, "count") == "error_must_be_number");  // a double is not an integer
    CHECK(key_of(e2, "on") == "error_must_be_bool");
}

TEST_CASE("a nested object is read with a table of its own", "[json_fields]") {
    constexpr json_field outer[] = {{.name = "reminder", .type = json_type::object}};
    constexpr json_field inner[] = {{.name = "enabled", .type = json_type::boolean}};
    auto o = obj(R"({"reminder": {"enabled": true, "deep": {"deeper": {"deepest": []}}}})");
    field_errors e;
    json_fields in(o, outer, e);
    REQUIRE(in.object("reminder"));
    json_fields r(*in.object("reminder"), inner, e, "reminder_");
    CHECK(r.boolean("enabled") == true);
    CHECK(key_of(e, "reminder_deep") == "error_unknown_field");
    CHECK(e.size() == 1);
    field_errors e2;
    auto o2 = obj(R"({"reminder": "on"})");
    json_fields not_object(o2, outer, e2);
    CHECK(key_of(e2, "reminder") == "error_must_be_object");
}

TEST_CASE("a table built at run time, as for an event's own questions", "[json_fields]") {
    std::vector<std::string> keys{"q1", "q2"};
    std::vector<json_field> t;
    for (const auto& k : keys) t.push_back({.name = k});
    field_errors e;
    auto o = obj(R"({"q1": "да", "q3": true})");
    json_fields in(o, t, e);
    CHECK(in.text("q1") == "да");
    CHECK_FALSE(in.has("q2"));
    CHECK(key_of(e, "q3") == "error_unknown_field");
    CHECK(e.size() == 1);
}

TEST_CASE("a read-only field sent is refused; long unknown names can be cut to ?", "[json_fields][hostile]") {
    constexpr json_field t[] = {{.name = "title", .type = json_type::text}, {.name = "id", .read_only = true}};
    std::string long_name(101, 'x');
    json::object o{{"title", "t"}, {"id", 5}, {long_name, 1}, {std::string(100, 'y'), 2}};
    field_errors e;
    json_fields in(o, t, e, {}, 100);
    CHECK_FALSE(in.ok());
    CHECK(key_of(e, "id") == "error_read_only");
    CHECK_FALSE(in.has("id"));
    CHECK(key_of(e, "?") == "error_unknown_field");
    CHECK(key_of(e, std::string(100, 'y')) == "error_unknown_field");  // at the limit: echoed
    CHECK(e.size() == 3);
    CHECK(in.text("title") == "t");
    // Without a limit the name is echoed as sent.
    field_errors e2;
    json_fields whole(o, t, e2);
    CHECK(key_of(e2, long_name) == "error_unknown_field");
}
