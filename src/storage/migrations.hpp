// Versioned schema migrations, applied in order inside one transaction each.
#pragma once
#include "storage/database.hpp"

namespace sabor::storage {

int schema_version(database& db);   // 0 for an empty database
int latest_schema_version();
// Brings the schema to the latest version; returns how many migrations ran.
int migrate(database& db);

}  // namespace sabor::storage
