#pragma once
#include "storage/database.hpp"

#include <optional>
#include <string>

namespace sabor::cli {

struct demo_account {
    std::string email;
    std::string password;
};

// Loads the demo organiser and events once. Returns the new account's credentials, or
// nothing when the demo was loaded before (a second run changes nothing).
std::optional<demo_account> load_demo(storage::database& db, const std::string& timezone);

}  // namespace sabor::cli
