#pragma once
#include <cstdint>
#include <string>

namespace sabor::accounts {

struct user {
    std::int64_t id = 0;
    std::string email;
    std::string name;
    std::string role;  // "admin" or "organiser"
    bool is_admin() const { return role == "admin"; }
};

}  // namespace sabor::accounts
