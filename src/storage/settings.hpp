// Small named values the whole installation shares (the server secret, "demo loaded").
#pragma once
#include "storage/database.hpp"

#include <optional>
#include <string>

namespace sabor::storage {

std::optional<std::string> get_setting(database& db, std::string_view key);
// Inserts unless the key exists; returns the value now stored (first writer wins).
std::string put_setting_once(database& db, std::string_view key, std::string_view value);

}  // namespace sabor::storage
