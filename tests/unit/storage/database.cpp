#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "accounts/repository.hpp"
#include "util/crypto.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace sabor;

namespace {
struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        char tmpl[] = "/tmp/sabor-unit-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
};
}  // namespace

TEST_CASE("a new database is migrated once, in WAL mode with foreign keys") {
    temp_dir dir;
    auto file = (dir.path / "t.db").string();
    storage::database db(file);
    CHECK(storage::schema_version(db) == 0);
    CHECK(storage::migrate(db) == storage::latest_schema_version());
    CHECK(storage::migrate(db) == 0);
    CHECK(storage::schema_version(db) == storage::latest_schema_version());
    auto mode = db.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.get_text(0) == "wal");
    auto fk = db.prepare("PRAGMA foreign_keys");
    REQUIRE(fk.step());
    CHECK(fk.get_int(0) == 1);
    // A row pointing at a missing user is refused.
    CHECK_THROWS_AS(db.prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('x', 999, '', '')").run(),
                    storage::constraint_error);
}

TEST_CASE("a transaction that is not committed leaves nothing behind") {
    temp_dir dir;
    storage::database db((dir.path / "t.db").string());
    storage::migrate(db);
    {
        storage::transaction tx(db);
        db.prepare("INSERT INTO settings (key, value) VALUES (?, ?)").bind(1, "k").bind(2, "v").run();
    }
    auto st = db.prepare("SELECT COUNT(*) FROM settings WHERE key = 'k'");
    st.step();
    CHECK(st.get_int(0) == 0);
    {
        storage::transaction tx(db);
        db.prepare("INSERT INTO settings (key, value) VALUES (?, ?)").bind(1, "k").bind(2, "v").run();
        tx.commit();
    }
    auto st2 = db.prepare("SELECT value FROM settings WHERE key = ?");
    st2.bind(1, "k");
    REQUIRE(st2.step());
    CHECK(st2.get_text(0) == "v");
}

TEST_CASE("bound values are data, never SQL") {
    temp_dir dir;
    storage::database db((dir.path / "t.db").string());
    storage::migrate(db);
    std::string hostile = "x'); DROP TABLE users; --";
    db.prepare("INSERT INTO settings (key, value) VALUES (?, ?)").bind(1, hostile).bind(2, "Кирилица").run();
    auto st = db.prepare("SELECT value FROM settings WHERE key = ?");
    st.bind(1, hostile);
    REQUIRE(st.step());
    CHECK(st.get_text(0) == "Кирилица");
    auto users = db.prepare("SELECT COUNT(*) FROM users");
    CHECK(users.step());
}

TEST_CASE("data_version moves when another connection commits; backup copies everything") {
    temp_dir dir;
    auto file = (dir.path / "t.db").string();
    storage::database a(file);
    storage::migrate(a);
    storage::database b(file);
    auto v1 = a.data_version();
    b.prepare("INSERT INTO settings (key, value) VALUES ('x', '1')").run();
    CHECK(a.data_version() != v1);

    auto copy = (dir.path / "copy.db").string();
    a.backup_to(copy);
    storage::database c(copy, false);
    auto st = c.prepare("SELECT value FROM settings WHERE key = 'x'");
    REQUIRE(st.step());
    CHECK(st.get_text(0) == "1");
}

TEST_CASE("accounts: passwords are argon2id, tokens are stored hashed") {
    util::crypto_init();
    temp_dir dir;
    storage::database db((dir.path / "t.db").string());
    storage::migrate(db);
    accounts::repository repo(db);
    auto hash = util::hash_password("тайна парола");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(util::verify_password(hash, "тайна парола"));
    CHECK_FALSE(util::verify_password(hash, "тайна парола!"));
    auto id = repo.create_user(" Ivana@Example.BG ", "Ивана Петрова", "organiser", hash);
    CHECK(repo.find_by_email("ivana@example.bg")->id == id);
    CHECK_THROWS_AS(repo.create_user("IVANA@example.bg", "x", "organiser", hash), storage::constraint_error);

    auto token = repo.create_api_token(id);
    CHECK(token.size() >= 40);
    CHECK(repo.user_for_api_token(token)->email == "ivana@example.bg");
    CHECK_FALSE(repo.user_for_api_token(token + "x"));
    auto raw = db.prepare("SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?");
    raw.bind(1, token);
    raw.step();
    CHECK(raw.get_int(0) == 0);  // the token itself is not stored

    auto session = repo.create_session(id, 1);
    CHECK(repo.user_for_session(session)->id == id);
    repo.delete_session(session);
    CHECK_FALSE(repo.user_for_session(session));
    CHECK(repo.secret() == repo.secret());
}

TEST_CASE("statements are reused per connection, also when the same SQL is in use twice") {
    temp_dir dir;
    storage::database db((dir.path / "t.db").string());
    db.exec("CREATE TABLE t (x INTEGER)");
    for (int i = 0; i < 3; ++i) db.prepare("INSERT INTO t (x) VALUES (?)").bind(1, i).run();
    // A cached statement comes back without its old bindings or position.
    auto count = [&db] {
        auto st = db.prepare("SELECT COUNT(*) FROM t WHERE x >= ?");
        st.bind(1, 1);
        st.step();
        return st.get_int(0);
    };
    CHECK(count() == 2);
    CHECK(count() == 2);
    // The same SQL while the first is mid-iteration: a second statement, independent.
    {
        auto outer = db.prepare("SELECT x FROM t ORDER BY x");
        REQUIRE(outer.step());
        int inner_rows = 0;
        {
            auto inner = db.prepare("SELECT x FROM t ORDER BY x");
            while (inner.step()) ++inner_rows;
        }
        CHECK(inner_rows == 3);
        CHECK(outer.get_int(0) == 0);
        REQUIRE(outer.step());
        CHECK(outer.get_int(0) == 1);
    }

    // A statement abandoned mid-iteration releases its read snapshot when it goes back to
    // the cache: another connection's commit is seen by the next read.
    { auto partial = db.prepare("SELECT x FROM t ORDER BY x"); }
    storage::database other((dir.path / "t.db").string(), false);
    other.prepare("INSERT INTO t (x) VALUES (9)").run();
    CHECK(count() == 3);
}

TEST_CASE("synchronous is NORMAL unless set to FULL for power-cut durability") {
    temp_dir dir;
    auto level = [](storage::database& db) {
        auto st = db.prepare("PRAGMA synchronous");
        st.step();
        return st.get_int(0);
    };
    storage::database normal((dir.path / "t.db").string());
    CHECK(level(normal) == 1);
    storage::set_synchronous_full(true);
    storage::database full((dir.path / "t.db").string());
    storage::set_synchronous_full(false);
    CHECK(level(full) == 2);
}

TEST_CASE("pool connections leave WAL checkpoints to the background thread") {
    temp_dir dir;
    auto file = (dir.path / "t.db").string();
    {
        storage::database db(file);
        db.exec("CREATE TABLE t (x TEXT)");
    }
    auto wal = std::filesystem::path(file + "-wal");
    storage::pool p(file);
    p.checkpoint_in_background();
    {
        auto db = p.acquire();
        auto auto_pages = db->prepare("PRAGMA wal_autocheckpoint");
        auto_pages.step();
        CHECK(auto_pages.get_int(0) == 0);  // not in the committing request
        std::string row(3000, 'x');
        // About 2,000 pages: past the 1,000-page threshold, so the thread is asked to run.
        for (int i = 0; i < 2000; ++i) {
            storage::transaction tx(*db);
            db->prepare("INSERT INTO t (x) VALUES (?)").bind(1, row).run();
            tx.commit();
        }
    }
    // The checkpoint copied the WAL back: the database file now holds the rows.
    for (int i = 0; i < 100 && std::filesystem::file_size(file) < 2000 * 3000; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(std::filesystem::file_size(file) >= 2000 * 3000);
}

TEST_CASE("looking a registration up by address uses an index, not a scan of the event") {
    temp_dir dir;
    storage::database db((dir.path / "t.db").string());
    storage::migrate(db);
    // The same query as registration::repository::find_by_email.
    auto plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM registrations WHERE event_id = ? AND email = ? AND email <> ''");
    std::string detail;
    while (plan.step()) detail += plan.get_text(3) + "\n";
    CHECK(detail.find("INDEX registrations_event_email") != std::string::npos);
}
