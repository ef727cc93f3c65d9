// The seat rules as a participant meets them, through the route table in this process:
// POST /api/v1/events/{id}/registrations with the access check, the JSON reading and the
// service under the write lock, without a socket.
#include "in_process.hpp"

#include <catch2/catch.hpp>

using sabor::test::in_process;
namespace json = boost::json;

namespace {

json::object event_body(int capacity, bool waitlist) {
    return {{"title", "Семинар „Места“"},         {"kind", "seminar"},
            {"starts_at", "2031-05-10T10:00:00+03:00"}, {"ends_at", "2031-05-10T16:00:00+03:00"},
            {"venue", "Зала 1"},                  {"city", "Русе"},
            {"capacity", capacity},                {"waitlist", waitlist},
            {"registration_mode", "open"}};
}

std::int64_t published_event(in_process& p, const std::string& token, int capacity, bool waitlist) {
    int status = 0;
    auto e = p.json("POST", "/api/v1/events", event_body(capacity, waitlist), token, &status);
    REQUIRE(status == 201);
    auto id = e.at("id").as_int64();
    p.json("POST", "/api/v1/events/" + std::to_string(id) + "/publish", nullptr, token, &status);
    REQUIRE(status == 200);
    return id;
}

json::value person(int i) {
    return json::object{{"name", "Участник " + std::to_string(i)},
                        {"email", "p" + std::to_string(i) + "@example.bg"},
                        {"consent", true}};
}

}  // namespace

TEST_CASE("seats: the last seat is confirmed, the next person waits, and without a list is refused") {
    in_process p("seats");
    auto token = p.organiser("org@ruse.bg");
    auto with_list = published_event(p, token, 2, true);
    auto path = "/api/v1/events/" + std::to_string(with_list) + "/registrations";
    int status = 0;
    CHECK(p.json("POST", path, person(1), {}, &status).at("status") == "confirmed");
    CHECK(status == 201);
    CHECK(p.json("POST", path, person(2), {}, &status).at("status") == "confirmed");
    CHECK(p.json("POST", path, person(3), {}, &status).at("status") == "waitlisted");
    CHECK(status == 201);

    auto no_list = published_event(p, token, 1, false);
    auto path2 = "/api/v1/events/" + std::to_string(no_list) + "/registrations";
    CHECK(p.json("POST", path2, person(4), {}, &status).at("status") == "confirmed");
    auto refused = p.json("POST", path2, person(5), {}, &status);
    CHECK(status == 409);
    CHECK(refused.at("error").at("code") == "event_full");
    CHECK(refused.at("error").at("message") == "Няма свободни места.");
}

TEST_CASE("seats: a draft takes no registration and is not told to exist") {
    in_process p("seats-draft");
    auto token = p.organiser("org@ruse.bg");
    int status = 0;
    auto e = p.json("POST", "/api/v1/events", event_body(10, false), token, &status);
    auto path = "/api/v1/events/" + std::to_string(e.at("id").as_int64()) + "/registrations";
    auto refused = p.json("POST", path, person(1), {}, &status);
    CHECK(status == 404);
    CHECK(refused.at("error").at("code") == "not_found");
}

TEST_CASE("seats: cancelling frees the seat for the first on the waiting list") {
    in_process p("seats-cancel");
    auto token = p.organiser("org@ruse.bg");
    auto id = published_event(p, token, 1, true);
    auto path = "/api/v1/events/" + std::to_string(id) + "/registrations";
    int status = 0;
    auto first = p.json("POST", path, person(1), {}, &status);
    auto second = p.json("POST", path, person(2), {}, &status);
    REQUIRE(second.at("status") == "waitlisted");
    auto cancel = "/api/v1/registrations/" + std::to_string(first.at("id").as_int64());
    p.json("PATCH", cancel, json::object{{"status", "cancelled"}}, token, &status);
    CHECK(status == 200);
    auto list = p.json("GET", path + "?status=confirmed", nullptr, token, &status);
    REQUIRE(list.at("items").as_array().size() == 1);
    CHECK(list.at("items").as_array()[0].at("email") == "p2@example.bg");
}
