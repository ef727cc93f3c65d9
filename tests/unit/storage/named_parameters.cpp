#include "storage/database.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace sabor;

namespace {
struct scratch {
    std::filesystem::path dir;
    std::unique_ptr<storage::database> db;
    scratch() {
        char tmpl[] = "/tmp/sabor-unit-XXXXXX";
        dir = mkdtemp(tmpl);
        db = std::make_unique<storage::database>((dir / "t.db").string());
        db->exec("CREATE TABLE t (a TEXT, b INTEGER, c REAL, d INTEGER)");
    }
    ~scratch() {
        db.reset();
        std::filesystem::remove_all(dir);
    }
};
}  // namespace

TEST_CASE("values are bound by their :name, in any order") {
    scratch s;
    s.db->prepare("INSERT INTO t (a, b, c, d) VALUES (:a, :b, :c, :d)")
        .bind(":d", std::nullopt)
        .bind(":c", 1.5)
        .bind(":b", std::int64_t{42})
        .bind(":a", "текст")
        .run();
    auto st = s.db->prepare("SELECT a, b, c, d FROM t WHERE b = :b");
    st.bind(":b", 42);
    REQUIRE(st.step());
    CHECK(st.get_text(0) == "текст");
    CHECK(st.get_int(1) == 42);
    CHECK(st.get_double(2) == 1.5);
    CHECK(st.is_null(3));
    CHECK_FALSE(st.step());
}

TEST_CASE("a name the statement does not have throws") {
    scratch s;
    auto st = s.db->prepare("INSERT INTO t (a, b) VALUES (:a, :b)");
    CHECK_THROWS_AS(st.bind(":c", 1), storage::error);
    // Written without its ':' it is another name, also refused.
    CHECK_THROWS_AS(st.bind("a", "x"), storage::error);
    // Nor can a positional statement be bound by name.
    auto positional = s.db->prepare("INSERT INTO t (a) VALUES (?)");
    CHECK_THROWS_AS(positional.bind(":a", "x"), storage::error);
}

TEST_CASE("stepping with a :name still unbound throws and writes nothing") {
    scratch s;
    auto st = s.db->prepare("INSERT INTO t (a, b) VALUES (:a, :b)");
    st.bind(":a", "x");
    CHECK_THROWS_WITH(st.run(), Catch::Contains(":b"));
    auto count = s.db->prepare("SELECT COUNT(*) FROM t");
    REQUIRE(count.step());
    CHECK(count.get_int(0) == 0);
}

TEST_CASE("reset forgets the bound names") {
    scratch s;
    auto st = s.db->prepare("INSERT INTO t (a, b) VALUES (:a, :b)");
    st.bind(":a", "x").bind(":b", 1).run();
    st.reset();
    st.bind(":a", "y");
    CHECK_THROWS_AS(st.run(), storage::error);
    st.bind(":b", 2).run();
    auto count = s.db->prepare("SELECT COUNT(*) FROM t");
    REQUIRE(count.step());
    CHECK(count.get_int(0) == 2);
}

TEST_CASE("a statement taken again from the connection's cache starts unbound") {
    scratch s;
    const char* sql = "INSERT INTO t (a, b) VALUES (:a, :b)";
    s.db->prepare(sql).bind(":a", "x").bind(":b", 1).run();
    auto again = s.db->prepare(sql);
    again.bind(":a", "y");
    CHECK_THROWS_AS(again.run(), storage::error);
}

TEST_CASE("a name used twice in the SQL is one parameter with one value") {
    scratch s;
    s.db->prepare("INSERT INTO t (a, b, d) VALUES (:v, 7, 8)").bind(":v", "x").run();
    s.db->prepare("INSERT INTO t (a, b, d) VALUES ('y', 7, 7)").run();
    auto st = s.db->prepare("SELECT a FROM t WHERE b = :n AND d = :n");
    st.bind(":n", 7);
    REQUIRE(st.step());
    CHECK(st.get_text(0) == "y");
    CHECK_FALSE(st.step());
}

TEST_CASE("a statement is bound one way: ? by position, :name by name") {
    scratch s;
    // SQL that mixes the two kinds is refused when prepared, cached or not.
    CHECK_THROWS_AS(s.db->prepare("INSERT INTO t (a, b) VALUES (?, :b)"), storage::error);
    CHECK_THROWS_AS(storage::statement(s.db->handle(), "INSERT INTO t (a, b) VALUES (:a, ?)"), storage::error);
    // A :name is not bound by position.
    auto st = s.db->prepare("INSERT INTO t (a) VALUES (:a)");
    CHECK_THROWS_AS(st.bind(1, "x"), storage::error);
    // Numbered ?NNN are positions and stay as they were.
    auto numbered = s.db->prepare("SELECT ?1 + ?1, ?2");
    numbered.bind(1, 2).bind(2, "z");
    REQUIRE(numbered.step());
    CHECK(numbered.get_int(0) == 4);
    CHECK(numbered.get_text(1) == "z");
}
