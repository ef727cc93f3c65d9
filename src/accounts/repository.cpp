#include "accounts/repository.hpp"

#include "storage/settings.hpp"
#include "util/crypto.hpp"

#include <algorithm>
#include <cctype>

namespace sabor::accounts {
namespace {
constexpr const char* now_sql = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";

// The columns of `user_columns`, in order.
user read_user(storage::statement& st) {
    return user{st.get_int(0), st.get_text(1), st.get_text(2), st.get_text(3), !st.get_text(4).empty()};
}
constexpr const char* user_columns = "u.id, u.email, u.name, u.role, COALESCE(u.disabled_at, '')";

api_token_info read_token(storage::statement& st) {
    return api_token_info{st.get_int(0), st.get_int(1), st.get_text(2), st.get_text(3), st.get_text(4)};
}
constexpr const char* token_columns =
    "id, user_id, created_at, COALESCE(expires_at, ''), COALESCE(last_used_at, '')";
}  // namespace

std::string normalise_email(std::string_view email) {
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
    std::string s(email);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool plausible_email(std::string_view e) {
    if (e.size() < 3 || e.size() > 254) return false;
    auto at = e.find('@');
    if (at == std::string_view::npos || at == 0 || at != e.rfind('@') || at == e.size() - 1) return false;
    auto domain = e.substr(at + 1);
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return false;
    for (unsigned char c : e)
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\') return false;
    return true;
}

std::int64_t repository::create_user(const std::string& email, const std::string& name, const std::string& role,
                                     const std::string& password_hash) {
    db_.prepare(std::string("INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ") +
                now_sql + ")")
        .bind(1, normalise_email(email))
        .bind(2, name)
        .bind(3, role)
        .bind(4, password_hash)
        .run();
    return db_.last_insert_id();
}

std::optional<user> repository::find_by_email(const std::string& email) {
    auto st = db_.prepare(std::string("SELECT ") + user_columns + " FROM users u WHERE u.email = ?");
    st.bind(1, normalise_email(email));
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

std::optional<user> repository::find_by_id(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + user_columns + " FROM users u WHERE u.id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

std::string repository::password_hash(std::int64_t user_id) {
    auto st = db_.prepare("SELECT password_hash FROM users WHERE id = ?");
    st.bind(1, user_id);
    return st.step() ? st.get_text(0) : std::string{};
}

std::string repository::create_session(std::int64_t user_id, int ttl_hours) {
    auto token = util::random_token();
    db_.prepare(std::string("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ") +
                now_sql + ", strftime('%Y-%m-%dT%H:%M:%SZ','now', ?))")
        .bind(1, util::token_hash(token))
        .bind(2, user_id)
        .bind(3, "+" + std::to_string(ttl_hours) + " hours")
        .run();
    // Old sessions go when new ones come: no separate cleaner needed.
    db_.prepare(std::string("DELETE FROM sessions WHERE expires_at < ") + now_sql).run();
    return token;
}

std::optional<user> repository::user_for_session(const std::string& token) {
    auto st = db_.prepare(std::string("SELECT ") + user_columns +
                          " FROM sessions s JOIN users u ON u.id = s.user_id "
                          "WHERE s.token_hash = ? AND u.disabled_at IS NULL AND s.expires_at > " +
                          now_sql);
    st.bind(1, util::token_hash(token));
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

void repository::delete_session(const std::string& token) {
    db_.prepare("DELETE FROM sessions WHERE token_hash = ?").bind(1, util::token_hash(token)).run();
}

std::string repository::create_api_token(std::int64_t user_id, int days) {
    auto token = "sabor_" + util::random_token();
    db_.prepare(std::string("INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ") + now_sql +
                ", CASE WHEN ? > 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ','now', ?) END)")
        .bind(1, util::token_hash(token))
        .bind(2, user_id)
        .bind(3, static_cast<std::int64_t>(days))
        .bind(4, "+" + std::to_string(days) + " days")
        .run();
    return token;
}

std::optional<user> repository::user_for_api_token(const std::string& token) {
    auto st = db_.prepare(std::string("SELECT ") + user_columns +
                          ", t.id, COALESCE(t.last_used_at, '') < strftime('%Y-%m-%dT%H:%M:%SZ','now','-1 hour') "
                          "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                          "WHERE t.token_hash = ? AND u.disabled_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > " +
                          now_sql + ")");
    st.bind(1, util::token_hash(token));
    if (!st.step()) return std::nullopt;
    auto u = read_user(st);
    auto id = st.get_int(5);
    bool stale = st.get_int(6) != 0;
    st.reset();
    // When it was last used, to the hour: a write on every API call would cost more than
    // the fact is worth. Never a reason to refuse the call.
    if (stale) {
        try {
            db_.prepare(std::string("UPDATE api_tokens SET last_used_at = ") + now_sql + " WHERE id = ?").bind(1, id).run();
        } catch (const std::exception&) {
        }
    }
    return u;
}

std::vector<api_token_info> repository::api_tokens(std::int64_t user_id) {
    auto st = db_.prepare(std::string("SELECT ") + token_columns + " FROM api_tokens WHERE user_id = ? ORDER BY id");
    st.bind(1, user_id);
    std::vector<api_token_info> out;
    while (st.step()) out.push_back(read_token(st));
    return out;
}

std::optional<api_token_info> repository::find_api_token(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + token_columns + " FROM api_tokens WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_token(st);
}

bool repository::revoke_api_token(std::int64_t id) {
    db_.prepare("DELETE FROM api_tokens WHERE id = ?").bind(1, id).run();
    return db_.changes() > 0;
}

std::vector<user_row> repository::list_users() {
    auto st = db_.prepare(std::string("SELECT ") + user_columns +
                          ", u.created_at, (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id) "
                          "FROM users u ORDER BY u.email");
    std::vector<user_row> out;
    while (st.step()) {
        user_row r;
        r.u = read_user(st);
        r.disabled_at = st.get_text(4);
        r.created_at = st.get_text(5);
        r.tokens = st.get_int(6);
        out.push_back(std::move(r));
    }
    return out;
}

std::pair<int, int> repository::disable_user(std::int64_t user_id) {
    db_.prepare(std::string("UPDATE users SET disabled_at = ") + now_sql + " WHERE id = ? AND disabled_at IS NULL")
        .bind(1, user_id)
        .run();
    db_.prepare("DELETE FROM sessions WHERE user_id = ?").bind(1, user_id).run();
    int sessions = db_.changes();
    db_.prepare("DELETE FROM api_tokens WHERE user_id = ?").bind(1, user_id).run();
    return {sessions, db_.changes()};
}

void repository::enable_user(std::int64_t user_id) {
    db_.prepare("UPDATE users SET disabled_at = NULL WHERE id = ?").bind(1, user_id).run();
}

int repository::end_sessions(std::int64_t user_id) {
    db_.prepare("DELETE FROM sessions WHERE user_id = ?").bind(1, user_id).run();
    return db_.changes();
}

int repository::set_password(std::int64_t user_id, const std::string& password_hash) {
    db_.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(1, password_hash).bind(2, user_id).run();
    db_.prepare("DELETE FROM sessions WHERE user_id = ?").bind(1, user_id).run();
    return db_.changes();
}

void repository::create_reset(std::int64_t user_id, const std::string& token_hash, const std::string& now_iso,
                              const std::string& expires_iso) {
    db_.prepare("DELETE FROM password_resets WHERE user_id = ? OR expires_at <= ?").bind(1, user_id).bind(2, now_iso).run();
    db_.prepare("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (:hash, :user, :now, :expires)")
        .bind(":hash", token_hash)
        .bind(":user", user_id)
        .bind(":now", now_iso)
        .bind(":expires", expires_iso)
        .run();
}

std::optional<std::int64_t> repository::reset_user(const std::string& token_hash, const std::string& now_iso) {
    auto st = db_.prepare("SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id "
                          "WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND u.disabled_at IS NULL");
    st.bind(1, token_hash).bind(2, now_iso);
    if (!st.step()) return std::nullopt;
    return st.get_int(0);
}

bool repository::use_reset(const std::string& token_hash, const std::string& now_iso) {
    auto user = reset_user(token_hash, now_iso);
    if (!user) return false;
    db_.prepare("UPDATE password_resets SET used_at = ? WHERE token_hash = ?").bind(1, now_iso).bind(2, token_hash).run();
    db_.prepare("DELETE FROM password_resets WHERE user_id = ? AND token_hash <> ?").bind(1, *user).bind(2, token_hash).run();
    return true;
}

std::optional<std::string> repository::last_reset_at(std::int64_t user_id) {
    auto st = db_.prepare("SELECT MAX(created_at) FROM password_resets WHERE user_id = ?");
    st.bind(1, user_id);
    if (!st.step() || st.is_null(0)) return std::nullopt;
    return st.get_text(0);
}

std::string repository::secret() {
    if (auto s = storage::get_setting(db_, "secret")) return *s;
    return storage::put_setting_once(db_, "secret", util::random_token(32));
}

}  // namespace sabor::accounts
