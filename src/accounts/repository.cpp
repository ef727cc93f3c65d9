#include "accounts/repository.hpp"

#include "storage/settings.hpp"
#include "util/crypto.hpp"

#include <algorithm>
#include <cctype>

namespace sabor::accounts {
namespace {
constexpr const char* now_sql = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";

user read_user(storage::statement& st) {
    return user{st.get_int(0), st.get_text(1), st.get_text(2), st.get_text(3)};
}
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
    auto st = db_.prepare("SELECT id, email, name, role FROM users WHERE email = ?");
    st.bind(1, normalise_email(email));
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

std::optional<user> repository::find_by_id(std::int64_t id) {
    auto st = db_.prepare("SELECT id, email, name, role FROM users WHERE id = ?");
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
    auto st = db_.prepare(std::string("SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
                                      "WHERE s.token_hash = ? AND s.expires_at > ") +
                          now_sql);
    st.bind(1, util::token_hash(token));
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

void repository::delete_session(const std::string& token) {
    db_.prepare("DELETE FROM sessions WHERE token_hash = ?").bind(1, util::token_hash(token)).run();
}

std::string repository::create_api_token(std::int64_t user_id) {
    auto token = "sabor_" + util::random_token();
    db_.prepare(std::string("INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES (?, ?, ") + now_sql + ")")
        .bind(1, util::token_hash(token))
        .bind(2, user_id)
        .run();
    return token;
}

std::optional<user> repository::user_for_api_token(const std::string& token) {
    auto st = db_.prepare("SELECT u.id, u.email, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
                          "WHERE t.token_hash = ?");
    st.bind(1, util::token_hash(token));
    if (!st.step()) return std::nullopt;
    return read_user(st);
}

std::string repository::secret() {
    if (auto s = storage::get_setting(db_, "secret")) return *s;
    return storage::put_setting_once(db_, "secret", util::random_token(32));
}

}  // namespace sabor::accounts
