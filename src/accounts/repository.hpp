// All SQL about accounts: users, browser sessions, API tokens, and the server secret.
#pragma once
#include "accounts/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>

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

    std::string create_api_token(std::int64_t user_id);
    std::optional<user> user_for_api_token(const std::string& token);

    // A random secret for HMACs (CSRF), made once and shared by every process on this database.
    std::string secret();

private:
    storage::database& db_;
};

// E-mail addresses are compared and stored lower-cased and trimmed.
std::string normalise_email(std::string_view email);
bool plausible_email(std::string_view email);

}  // namespace sabor::accounts
