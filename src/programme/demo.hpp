#pragma once
#include "events/model.hpp"
#include "storage/database.hpp"

namespace sabor::programme {
// A two-day programme in Bulgarian for the demo conference `e` (its first day and its
// last day). Called by cli::load_demo inside its transaction, so it is loaded once.
void load_demo_programme(storage::database& db, const events::event& e);
}  // namespace sabor::programme
