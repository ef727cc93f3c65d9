#pragma once

namespace sabor::app {
class application;
}

namespace sabor::contacts {
// Invitations: /admin/events/{id}/invitations, the API, /i/{token} (the personal link and the
// decline) and /u/{token} (unsubscribe).
void register_invitation_routes(app::application& a);
}  // namespace sabor::contacts
