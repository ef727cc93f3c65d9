#include "accounts/security.hpp"
#include "app/client_address.hpp"

#include <catch2/catch.hpp>

using namespace sabor;
using namespace std::chrono_literals;

TEST_CASE("a full rate limiter forgets its least recently used key, not everything") {
    accounts::rate_limiter lim(1, 3);
    auto t = accounts::steady::now();
    REQUIRE(lim.allow("attacker", t));
    REQUIRE_FALSE(lim.allow("attacker", t));
    // New keys fill it up; the attacker keeps trying, so it is not the oldest.
    REQUIRE(lim.allow("a", t));
    REQUIRE(lim.allow("b", t));
    REQUIRE_FALSE(lim.allow("attacker", t));
    REQUIRE(lim.allow("c", t));  // evicts "a"
    REQUIRE(lim.size() == 3);
    REQUIRE_FALSE(lim.allow("attacker", t));  // still limited: the flood did not reset it
    REQUIRE_FALSE(lim.allow("b", t));         // "b" is remembered too
    REQUIRE(lim.allow("a", t));               // "a" was the one forgotten
    // After the minute the attacker may try again.
    REQUIRE(lim.allow("attacker", t + 61s));
}

TEST_CASE("the per-account guard backs off growing and forgets nobody it is still guarding") {
    accounts::login_guard g(2, 10s, 2);
    auto t = accounts::steady::now();
    REQUIRE(g.wait("x", t) == 0ms);
    g.failed("x", t);
    g.failed("x", t);
    REQUIRE(g.wait("x", t) > 0ms);          // third attempt must wait 1 s
    REQUIRE(g.wait("x", t + 1001ms) == 0ms);
    g.failed("x", t + 1001ms);
    REQUIRE(g.wait("x", t + 2500ms) > 0ms);  // then 2 s
    REQUIRE(g.wait("x", t + 3002ms) == 0ms);
    for (int i = 0; i < 10; ++i) g.failed("x", t + 3002ms);
    REQUIRE(g.wait("x", t + 3002ms) <= 10001ms);  // never more than max_wait
    REQUIRE(g.wait("x", t + 13003ms) == 0ms);
    g.succeeded("x");
    REQUIRE(g.wait("x", t + 13003ms) == 0ms);
    // Bounded: a third account pushes out the least recently used.
    g.failed("a", t);
    g.failed("b", t);
    g.failed("c", t);
    REQUIRE(g.size() == 2);
}

TEST_CASE("client address: only a trusted proxy's forwarding headers count, rightmost untrusted") {
    app::trusted_proxies none;
    app::trusted_proxies p({"127.0.0.1", "10.0.0.0/8", "::1"});
    REQUIRE(p.contains("10.20.30.40"));
    REQUIRE(p.contains("::ffff:127.0.0.1"));
    REQUIRE_FALSE(p.contains("11.0.0.1"));
    REQUIRE_FALSE(p.contains("not an address"));
    REQUIRE_THROWS(app::trusted_proxies({"10.0.0.0/33"}));
    REQUIRE_THROWS(app::trusted_proxies({"example.org"}));

    http::request req;
    req.headers = {{"x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.1.1"}};
    REQUIRE(p.client_of("127.0.0.1", req) == "203.0.113.9");
    REQUIRE(none.client_of("127.0.0.1", req) == "127.0.0.1");
    REQUIRE(p.client_of("192.0.2.1", req) == "192.0.2.1");  // an untrusted peer's headers are ignored
    req.headers = {{"x-forwarded-for", "garbage, 10.1.1.1"}};
    REQUIRE(p.client_of("127.0.0.1", req) == "10.1.1.1");
    req.headers = {{"forwarded", "for=198.51.100.7;proto=https, for=\"[2001:db8::1]:4711\""}};
    REQUIRE(p.client_of("127.0.0.1", req) == "2001:db8::1");
    REQUIRE(app::is_loopback("127.0.0.2"));
    REQUIRE(app::is_loopback("::1"));
    REQUIRE_FALSE(app::is_loopback("10.0.0.1"));
}
