#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

#include <catch2/catch.hpp>

using namespace sabor::http;

namespace {
request make(std::string method, std::string target) {
    request r;
    r.method = std::move(method);
    r.target = std::move(target);
    REQUIRE(parse_target(r.target, r.path, r.query));
    return r;
}
}  // namespace

TEST_CASE("router matches literal and parameter segments") {
    router rt;
    rt.get("/events/past", [](request&) { return response::text(200, "past"); });
    rt.get("/events/{slug}", [](request& r) { return response::text(200, std::string(r.param("slug"))); });
    rt.post("/api/v1/events/{id}/publish", [](request& r) { return response::text(200, std::string(r.param("id"))); }, 1024);
    rt.get("/static/{*path}", [](request& r) { return response::text(200, std::string(r.param("path"))); });

    auto r1 = make("GET", "/events/past");
    REQUIRE(rt.match(r1).found->fn(r1).body == "past");
    auto r2 = make("GET", "/events/seminar-ruse?lang=en");
    REQUIRE(rt.match(r2).found->fn(r2).body == "seminar-ruse");
    auto r3 = make("POST", "/api/v1/events/42/publish");
    REQUIRE(rt.match(r3).found->fn(r3).body == "42");
    auto r4 = make("GET", "/static/css/sabor.css");
    REQUIRE(rt.match(r4).found->fn(r4).body == "css/sabor.css");
    auto head = make("HEAD", "/events/past");
    REQUIRE(rt.match(head).found != nullptr);
}

TEST_CASE("router tells 404 from 405 and knows body limits before the body") {
    router rt;
    rt.get("/login", [](request&) { return response::text(200, ""); });
    rt.post("/login", [](request&) { return response::text(200, ""); }, 4096);
    auto missing = make("GET", "/nowhere");
    auto m = rt.match(missing);
    CHECK(m.found == nullptr);
    CHECK_FALSE(m.method_mismatch);
    auto wrong = make("DELETE", "/login");
    auto m2 = rt.match(wrong);
    CHECK(m2.found == nullptr);
    CHECK(m2.method_mismatch);
    CHECK(m2.allow == "GET, HEAD, POST");
    CHECK(rt.body_limit("POST", "/login") == 4096);
    CHECK(rt.body_limit("GET", "/login") == 0);
    CHECK(rt.body_limit("POST", "/unknown") == 0);
    auto extra = make("GET", "/login/extra");
    CHECK(rt.match(extra).found == nullptr);
}

TEST_CASE("targets and forms decode percent-encoding, plus and Cyrillic") {
    std::string path;
    fields q;
    REQUIRE(parse_target("/events/%D0%A0%D1%83%D1%81%D0%B5?city=%D0%A0%D1%83%D1%81%D0%B5&kind=seminar&x=a+b", path, q));
    CHECK(path == "/events/Русе");
    REQUIRE(q.size() == 3);
    CHECK(q[0] == std::pair<std::string, std::string>{"city", "Русе"});
    CHECK(q[2].second == "a b");
    CHECK_FALSE(parse_target("no-slash", path, q));
    CHECK_FALSE(parse_target("/bad%zz", path, q));

    fields form;
    REQUIRE(parse_form("email=a%40b.bg&password=p%26ss+word&empty=", form));
    CHECK(form[0].second == "a@b.bg");
    CHECK(form[1].second == "p&ss word");
    CHECK(form[2].second.empty());
    CHECK_FALSE(parse_form("a=%G1", form));
}

TEST_CASE("cookies are read from the header and written safely") {
    request r;
    r.headers = {{"cookie", "lang=en; sabor_session=abc123;other=x"}};
    CHECK(r.cookie("lang") == "en");
    CHECK(r.cookie("sabor_session") == "abc123");
    CHECK(r.cookie("other") == "x");
    CHECK_FALSE(r.cookie("missing"));
    auto c = make_cookie("sabor_session", "tok", {.secure = true});
    CHECK(c == "sabor_session=tok; Path=/; HttpOnly; SameSite=Lax; Secure");
    auto d = make_cookie("lang", "", {.max_age = 0});
    CHECK(d == "lang=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

TEST_CASE("metrics render Prometheus text") {
    metrics m;
    m.observe("/events/{slug}", 200, 0.002);
    m.observe("/events/{slug}", 200, 0.02);
    m.observe("/events/{slug}", 404, 0.001);
    m.add_gauge("sabor_events", "Events.", [] { return 3.0; });
    auto text = m.render();
    CHECK(text.find("sabor_http_requests_total{route=\"/events/{slug}\",status=\"200\"} 2") != std::string::npos);
    CHECK(text.find("sabor_http_requests_total{route=\"/events/{slug}\",status=\"404\"} 1") != std::string::npos);
    CHECK(text.find("sabor_http_request_duration_seconds_count 3") != std::string::npos);
    CHECK(text.find("sabor_http_request_duration_seconds_bucket{le=\"0.0025\"} 2") != std::string::npos);
    CHECK(text.find("sabor_events 3") != std::string::npos);
}
