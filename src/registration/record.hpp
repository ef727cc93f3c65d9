// One registration on its own organisers' page: every answer, its history (the organisers'
// actions and the mails sent) and a form to correct any detail, the name included.
#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// GET /admin/registrations/{id} and POST /admin/registrations/{id}/edit.
void register_record_routes(app::application& a);
}  // namespace sabor::registration
