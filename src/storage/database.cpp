#include "storage/database.hpp"

#include "storage/checkpointer.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

namespace sabor::storage {
namespace {
// Waits for another connection's write lock in short steps. SQLite's own handler sleeps in
// growing steps up to 100 ms, which turned one busy moment into a 100 ms answer.
int busy_wait(void*, int count) {
    constexpr int limit = 25'000;  // about 5 s of 200 µs naps
    if (count >= limit) return 0;
    std::this_thread::sleep_for(std::chrono::microseconds(count < 20 ? 50 : 200));
    return 1;
}

std::atomic<bool> synchronous_full{false};

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
    std::string msg(what);
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        constraint_error e(msg);
        e.code = rc;
        throw e;
    }
    error e(msg);
    e.code = rc;
    throw e;
}
}  // namespace

void set_synchronous_full(bool full) { synchronous_full = full; }

database::database(const std::string& path, bool create) : path_(path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open database " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        if (int os = db_ ? sqlite3_system_errno(db_) : 0) msg += std::string(" (") + std::strerror(os) + ")";
        sqlite3_close(db_);
        db_ = nullptr;
        throw error(msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    // Writers wait for each other instead of failing at once; the CLI may write while we run.
    sqlite3_busy_handler(db_, busy_wait, nullptr);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA foreign_keys=ON");
    exec(synchronous_full.load() ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");  // durable across a crash of the process in WAL mode
}

database::~database() {
    for (auto& [sql, c] : cache_) sqlite3_finalize(c.st);
    if (db_) sqlite3_close_v2(db_);
}

statement database::prepare(std::string_view sql) {
    // Bounded, for SQL built at run time (filters); the fixed statements number a few dozen.
    constexpr std::size_t max_cached = 256;
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        if (cache_.size() >= max_cached) return statement(db_, sql);
        sqlite3_stmt* st = nullptr;
        int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr);
        if (rc != SQLITE_OK) fail(db_, rc, "prepare");
        bool named = false;
        try {
            named = statement::uses_names(st);
        } catch (...) {
            sqlite3_finalize(st);
            throw;
        }
        it = cache_.emplace(std::string(sql), cached{st, false, named}).first;
    }
    if (it->second.in_use) return statement(db_, sql);
    it->second.in_use = true;
    return statement(db_, it->second.st, &it->second.in_use, it->second.named);
}

void database::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        error e("SQL error: " + msg);
        e.code = rc;
        throw e;
    }
}

std::int64_t database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int database::changes() const { return sqlite3_changes(db_); }

std::int64_t database::data_version() {
    auto st = prepare("PRAGMA data_version");
    st.step();
    return st.get_int(0);
}

void database::backup_to(const std::string& path) {
    sqlite3* dest = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open " + path + ": " + (dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
        sqlite3_close(dest);
        throw error(msg);
    }
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", db_, "main");
    if (!b) {
        std::string msg = std::string("backup failed: ") + sqlite3_errmsg(dest);
        sqlite3_close(dest);
        throw error(msg);
    }
    // Copy everything in one step: the source stays consistent because the step holds a read lock.
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        std::string msg = std::string("backup failed: ") + sqlite3_errstr(rc);
        sqlite3_close(dest);
        throw error(msg);
    }
    sqlite3_close(dest);
}

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, "prepare");
    try {
        named_ = uses_names(st_);
    } catch (...) {
        sqlite3_finalize(st_);
        throw;
    }
}

bool statement::uses_names(sqlite3_stmt* st) {
    int n = sqlite3_bind_parameter_count(st);
    bool names = false, positions = false;
    for (int i = 1; i <= n; ++i) {
        const char* name = sqlite3_bind_parameter_name(st, i);
        // `?` has no name and `?NNN` is a position; `:a`, `@a` and `$a` are names.
        (name && *name != '?' ? names : positions) = true;
    }
    if (names && positions) throw error(std::string("SQL mixes ? and :name parameters: ") + sqlite3_sql(st));
    if (names && n > 64) throw error(std::string("more than 64 named parameters: ") + sqlite3_sql(st));
    return names;
}

int statement::positional(int i) const {
    if (named_) throw error(std::string("bind by position in SQL with :name parameters: ") + sqlite3_sql(st_));
    return i;
}

int statement::named(std::string_view name) {
    int i = named_ ? sqlite3_bind_parameter_index(st_, std::string(name).c_str()) : 0;
    if (i == 0) throw error("no parameter " + std::string(name) + " in: " + sqlite3_sql(st_));
    bound_ |= std::uint64_t{1} << (i - 1);
    return i;
}

void statement::unbound() const {
    int n = sqlite3_bind_parameter_count(st_);
    for (int i = 1; i <= n; ++i)
        if (!(bound_ & (std::uint64_t{1} << (i - 1))))
            throw error(std::string("parameter ") + sqlite3_bind_parameter_name(st_, i) + " not bound in: " + sqlite3_sql(st_));
    throw error("parameter not bound");
}

statement::~statement() {
    if (!st_) return;
    if (in_use_) {
        // Back to the cache: reset releases any read lock the statement held.
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
        *in_use_ = false;
    } else {
        sqlite3_finalize(st_);
    }
}

statement::statement(statement&& o) noexcept
    : db_(o.db_), st_(o.st_), in_use_(o.in_use_), named_(o.named_), bound_(o.bound_) {
    o.st_ = nullptr;
    o.in_use_ = nullptr;
}

void statement::check_bind(int rc) {
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
}

statement& statement::bind_at(int i, std::int64_t v) {
    check_bind(sqlite3_bind_int64(st_, i, v));
    return *this;
}
statement& statement::bind_at(int i, std::string_view v) {
    check_bind(sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}
statement& statement::bind_at(int i, double v) {
    check_bind(sqlite3_bind_double(st_, i, v));
    return *this;
}
statement& statement::bind_at(int i, std::nullopt_t) {
    check_bind(sqlite3_bind_null(st_, i));
    return *this;
}
statement& statement::bind_at(int i, const std::optional<std::int64_t>& v) {
    return v ? bind_at(i, *v) : bind_at(i, std::nullopt);
}

bool statement::step() {
    if (named_) {
        int n = sqlite3_bind_parameter_count(st_);
        if (bound_ != (n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1)) unbound();
    }
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, "step");
}

void statement::run() {
    while (step()) {
    }
}

void statement::reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    bound_ = 0;
}

std::int64_t statement::get_int(int col) const { return sqlite3_column_int64(st_, col); }
double statement::get_double(int col) const { return sqlite3_column_double(st_, col); }
std::string statement::get_text(int col) const {
    auto p = sqlite3_column_text(st_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st_, col)));
}
bool statement::is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

namespace {
std::mutex& write_gate() {
    static std::mutex m;
    return m;
}
}  // namespace

transaction::transaction(database& db) : gate_(write_gate()), db_(db) { db_.prepare("BEGIN IMMEDIATE").run(); }

void database::after_commit(const void* key, std::function<void()> f) {
    if (sqlite3_get_autocommit(db_)) return f();
    for (const auto& [k, _] : after_commit_)
        if (k == key) return;
    after_commit_.emplace_back(key, std::move(f));
}

transaction::~transaction() {
    if (!done_) {
        db_.after_commit_.clear();
        try {
            db_.prepare("ROLLBACK").run();
        } catch (...) {
            // Nothing to add: the connection rolls back on its own if this fails.
        }
    }
}

void transaction::commit() {
    db_.prepare("COMMIT").run();
    done_ = true;
    gate_.unlock();
    auto then = std::move(db_.after_commit_);
    db_.after_commit_.clear();
    for (auto& [key, f] : then) f();
}

pool::pool(std::string path) : path_(std::move(path)) {}

pool::~pool() {
    for (auto& db : idle_) sqlite3_wal_hook(db->handle(), nullptr, nullptr);
    checkpointer_.reset();
}

void pool::checkpoint_in_background() {
    std::lock_guard lock(mu_);
    if (!checkpointer_) checkpointer_ = std::make_unique<checkpointer>(path_);
    for (auto& db : idle_) checkpointer_->attach(*db);
}

pool::lease pool::acquire() {
    {
        std::lock_guard lock(mu_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return lease(*this, std::move(db));
        }
    }
    auto db = std::make_unique<database>(path_, false);
    {
        std::lock_guard lock(mu_);
        if (checkpointer_) checkpointer_->attach(*db);
    }
    return lease(*this, std::move(db));
}

pool::lease::~lease() {
    if (!db_ || !pool_) return;
    std::lock_guard lock(pool_->mu_);
    pool_->idle_.push_back(std::move(db_));
}

}  // namespace sabor::storage
