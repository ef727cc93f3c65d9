// All SQL about registration requests: input waiting for its address to be confirmed
// (e-mail verification), kept under the SHA-256 of the mailed token.
#pragma once
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sabor::registration {

struct registration_request {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string email;
    std::string input;   // JSON: the checked input (see verification.cpp)
    std::string locale = "bg";
    std::string created_at, expires_at;  // ISO 8601 UTC
};

class request_repository {
public:
    explicit request_repository(storage::database& db) : db_(db) {}

    std::int64_t insert(const registration_request& r, const std::string& token_hash);
    // A new request for the same address replaces the earlier one (its link stops working).
    void remove_for(std::int64_t event_id, const std::string& email);
    void remove(std::int64_t id);
    // Housekeeping: requests whose link ran out before `now_iso` (ISO 8601 UTC).
    void remove_expired(const std::string& now_iso);
    std::optional<registration_request> find_by_token(const std::string& token_hash);
    std::int64_t count(std::int64_t event_id);

private:
    storage::database& db_;
};

}  // namespace sabor::registration
