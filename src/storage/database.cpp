#include "storage/database.hpp"

#include <sqlite3.h>

namespace sabor::storage {
namespace {
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

database::database(const std::string& path, bool create) : path_(path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open database " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        sqlite3_close(db_);
        db_ = nullptr;
        throw error(msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    // Writers wait for each other instead of failing at once; the CLI may write while we run.
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA synchronous=NORMAL");  // durable across a crash of the process in WAL mode
}

database::~database() {
    if (db_) sqlite3_close_v2(db_);
}

statement database::prepare(std::string_view sql) { return statement(db_, sql); }

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
}

statement::~statement() {
    if (st_) sqlite3_finalize(st_);
}

statement::statement(statement&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }

void statement::check_bind(int rc) {
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
}

statement& statement::bind(int i, std::int64_t v) {
    check_bind(sqlite3_bind_int64(st_, i, v));
    return *this;
}
statement& statement::bind(int i, std::string_view v) {
    check_bind(sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}
statement& statement::bind(int i, double v) {
    check_bind(sqlite3_bind_double(st_, i, v));
    return *this;
}
statement& statement::bind(int i, std::nullopt_t) {
    check_bind(sqlite3_bind_null(st_, i));
    return *this;
}
statement& statement::bind(int i, const std::optional<std::int64_t>& v) {
    return v ? bind(i, *v) : bind(i, std::nullopt);
}

bool statement::step() {
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

transaction::transaction(database& db) : gate_(write_gate()), db_(db) { db_.exec("BEGIN IMMEDIATE"); }

transaction::~transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
            // Nothing to add: the connection rolls back on its own if this fails.
        }
    }
}

void transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
    gate_.unlock();
}

pool::pool(std::string path) : path_(std::move(path)) {}

pool::lease pool::acquire() {
    {
        std::lock_guard lock(mu_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return lease(*this, std::move(db));
        }
    }
    return lease(*this, std::make_unique<database>(path_, false));
}

pool::lease::~lease() {
    if (!db_ || !pool_) return;
    std::lock_guard lock(pool_->mu_);
    pool_->idle_.push_back(std::move(db_));
}

}  // namespace sabor::storage
