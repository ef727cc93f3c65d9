// All SQL about accounts: users, browser sessions, API tokens, and the server secret.
#pragma once
#include "accounts/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sabor::accounts {

class repository {
public:
    explicit repository(storage::database& db) : db_(db) {}

    // Throws storage::constraint_error when the e-mail is taken.
    std::int64_t create_user(const std::string& email, const std::string& name, const std::string& role,
                             const std::string& password_hash);
    std::optional<user> find_by_email(const std::string& email);
    std::optional<user> find_by_id(std::int64_t id);
    std::string password_hash(std::int64_t user_id);

    // Browser sessions: the cookie holds the token, the table only its hash.
    std::string create_session(std::int64_t user_id, int ttl_hours);
    std::optional<user> user_for_session(const std::string& token);
    void delete_session(const std::string& token);
    // Ends every session of the account (every browser it is signed in on); how many.
    int end_sessions(std::int64_t user_id);

    // A token valid for `days` days (0: until revoked).
    std::string create_api_token(std::int64_t user_id, int days = 0);
    // The token's account while the token is unexpired and the account enabled.
    std::optional<user> user_for_api_token(const std::string& token);
    std::vector<api_token_info> api_tokens(std::int64_t user_id);
    std::optional<api_token_info> find_api_token(std::int64_t id);
    bool revoke_api_token(std::int64_t id);

    std::vector<user_row> list_users();
    // Disabling drops the account's sessions and tokens; what it returns is how many of each.
    std::pair<int, int> disable_user(std::int64_t user_id);
    void enable_user(std::int64_t user_id);
    // A new password hash; every session of the account ends. Returns how many did.
    int set_password(std::int64_t user_id, const std::string& password_hash);

    // Password resets (times as ISO 8601 UTC text). A new link retires the account's earlier
    // ones; reset_user gives the account of a link that is unused and not expired;
    // use_reset marks it used (false when it was not usable) and retires the others.
    void create_reset(std::int64_t user_id, const std::string& token_hash, const std::string& now_iso,
                      const std::string& expires_iso);
    std::optional<std::int64_t> reset_user(const std::string& token_hash, const std::string& now_iso);
    bool use_reset(const std::string& token_hash, const std::string& now_iso);
    // When the account was last sent a link, or nothing.
    std::optional<std::string> last_reset_at(std::int64_t user_id);

    // A random secret for HMACs (CSRF), made once and shared by every process on this database.
    std::string secret();

private:
    storage::database& db_;
};

// E-mail addresses are compared and stored lower-cased and trimmed.
std::string normalise_email(std::string_view email);
bool plausible_email(std::string_view email);

}  // namespace sabor::accounts
