#pragma once
#include <cstdint>
#include <string>

namespace sabor::accounts {

struct user {
    std::int64_t id = 0;
    std::string email;
    std::string name;
    std::string role;  // "admin" or "organiser"
    bool disabled = false;
    bool is_admin() const { return role == "admin"; }
};

// A row of the admins' list of accounts.
struct user_row {
    user u;
    std::string created_at;
    std::string disabled_at;  // "" while enabled
    std::int64_t tokens = 0;
};

// An API token as its owner and admins see it: never the token itself.
struct api_token_info {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string created_at;
    std::string expires_at;    // "" = never
    std::string last_used_at;  // "" = not known to have been used
};

}  // namespace sabor::accounts
