// The participant's check-in card, /card/{code}: what the link in their confirmation and
// reminder opens. The event, their name and status, and the QR code large enough to scan at
// the door. Public to whoever holds the code (the QR carries the same code); never a login.
#pragma once
#include "app/web.hpp"

namespace sabor::registration {

void register_card_routes(app::application& a);

}  // namespace sabor::registration
