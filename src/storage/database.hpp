// A small RAII layer over SQLite: database, statement, transaction, and a pool of
// connections for the server's threads. Only prepared statements; SQL lives in the
// per-domain repositories.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sabor::storage {

struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
    int code = 0;
};
// A UNIQUE or other constraint refused a write: callers turn it into a user-facing answer.
struct constraint_error : error {
    using error::error;
};

class statement;

// How connections opened from now on sync (PRAGMA synchronous): NORMAL unless set to FULL.
void set_synchronous_full(bool full);

class database {
public:
    // Opens (creating when asked) the file in WAL mode with foreign keys on.
    explicit database(const std::string& path, bool create = true);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    // Statements are kept per connection and reused: parsing SQL is a large part of a
    // short request. A statement still in use is prepared afresh (and finalized after).
    statement prepare(std::string_view sql);
    void exec(std::string_view sql);  // for fixed SQL without parameters (schema, pragmas)
    std::int64_t last_insert_id() const;
    int changes() const;
    // Increases whenever another connection commits (PRAGMA data_version).
    std::int64_t data_version();
    // A consistent copy of the whole database into `path` (online backup API).
    void backup_to(const std::string& path);
    const std::string& path() const { return path_; }
    sqlite3* handle() { return db_; }
    // Runs `f` once the open transaction has committed (at once when none is open); a
    // rollback drops it. `key` makes it once per transaction however often it is asked for
    // (the mail worker is woken once, not per queued message).
    void after_commit(const void* key, std::function<void()> f);

private:
    friend class statement;
    friend class transaction;
    std::vector<std::pair<const void*, std::function<void()>>> after_commit_;
    struct cached {
        sqlite3_stmt* st = nullptr;
        bool in_use = false;
        bool named = false;
    };
    sqlite3* db_ = nullptr;
    std::string path_;
    struct sql_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, cached, sql_hash, std::equal_to<>> cache_;
};

class statement {
public:
    statement(sqlite3* db, std::string_view sql);
    ~statement();
    statement(statement&& o) noexcept;
    statement& operator=(statement&&) = delete;
    statement(const statement&) = delete;

    // A statement is bound one way. `?` (and `?NNN`) are bound by position, from 1, and
    // chainable: st.bind(1, x).bind(2, y).
    statement& bind(int i, std::int64_t v) { return bind_at(positional(i), v); }
    statement& bind(int i, int v) { return bind_at(positional(i), static_cast<std::int64_t>(v)); }
    statement& bind(int i, std::string_view v) { return bind_at(positional(i), v); }
    statement& bind(int i, const std::string& v) { return bind_at(positional(i), std::string_view(v)); }
    statement& bind(int i, const char* v) { return bind_at(positional(i), std::string_view(v)); }
    statement& bind(int i, double v) { return bind_at(positional(i), v); }
    statement& bind(int i, std::nullopt_t) { return bind_at(positional(i), std::nullopt); }
    statement& bind(int i, const std::optional<std::int64_t>& v) { return bind_at(positional(i), v); }

    // `:name` parameters are bound by name, written as in the SQL: st.bind(":title", t).
    // For statements with more than a few values, where a position is easy to miscount.
    // A name the statement lacks throws (a typo must not leave a column NULL), and so does
    // stepping while one of its names is unbound. A name used twice in the SQL is one
    // parameter with one value. SQL that mixes `?` and `:name` is refused when prepared,
    // and a `:name` bound by position throws.
    statement& bind(std::string_view name, std::int64_t v) { return bind_at(named(name), v); }
    statement& bind(std::string_view name, int v) { return bind_at(named(name), static_cast<std::int64_t>(v)); }
    statement& bind(std::string_view name, std::string_view v) { return bind_at(named(name), v); }
    statement& bind(std::string_view name, const std::string& v) { return bind_at(named(name), std::string_view(v)); }
    statement& bind(std::string_view name, const char* v) { return bind_at(named(name), std::string_view(v)); }
    statement& bind(std::string_view name, double v) { return bind_at(named(name), v); }
    statement& bind(std::string_view name, std::nullopt_t) { return bind_at(named(name), std::nullopt); }
    statement& bind(std::string_view name, const std::optional<std::int64_t>& v) { return bind_at(named(name), v); }

    bool step();      // true while a row is available
    void run();       // steps to completion, for writes
    void reset();     // for reuse with new bindings

    std::int64_t get_int(int col) const;
    double get_double(int col) const;
    std::string get_text(int col) const;
    bool is_null(int col) const;

private:
    friend class database;
    statement(sqlite3* db, sqlite3_stmt* st, bool* in_use, bool named)
        : db_(db), st_(st), in_use_(in_use), named_(named) {}
    // Whether the statement's parameters are `:name`s; throws for SQL that mixes the kinds.
    static bool uses_names(sqlite3_stmt* st);
    int positional(int i) const;
    int named(std::string_view name);
    statement& bind_at(int i, std::int64_t v);
    statement& bind_at(int i, std::string_view v);
    statement& bind_at(int i, double v);
    statement& bind_at(int i, std::nullopt_t);
    statement& bind_at(int i, const std::optional<std::int64_t>& v);
    void check_bind(int rc);
    [[noreturn]] void unbound() const;
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
    bool* in_use_ = nullptr;  // set when the statement belongs to its connection's cache
    bool named_ = false;
    std::uint64_t bound_ = 0;  // named statements: which parameters have a value (bit i-1)
};

// BEGIN IMMEDIATE: the write lock is taken at once, so decisions made inside (capacity,
// uniqueness) see the latest committed state. Rolls back unless committed.
//
// Writers of this process first queue on a mutex: SQLite admits one writer at a time
// anyway, and its busy handler waits by sleeping in growing steps (up to 100 ms) while
// holding an I/O thread; the mutex hands the lock over at once. Other processes (the CLI)
// still meet SQLite's busy timeout.
class transaction {
public:
    explicit transaction(database& db);
    ~transaction();
    void commit();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

private:
    std::unique_lock<std::mutex> gate_;
    database& db_;
    bool done_ = false;
};

class checkpointer;

// Connections for the server's threads; each request borrows one.
class pool {
public:
    explicit pool(std::string path);
    ~pool();
    // From now on, new connections leave WAL checkpoints to a background thread.
    void checkpoint_in_background();
    class lease {
    public:
        lease(pool& p, std::unique_ptr<database> db) : pool_(&p), db_(std::move(db)) {}
        lease(lease&&) = default;
        ~lease();
        database& operator*() { return *db_; }
        database* operator->() { return db_.get(); }

    private:
        pool* pool_;
        std::unique_ptr<database> db_;
    };
    lease acquire();
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::mutex mu_;
    std::vector<std::unique_ptr<database>> idle_;
    std::unique_ptr<checkpointer> checkpointer_;  // declared last: stopped before the connections close
};

}  // namespace sabor::storage
