#pragma once

namespace sabor::app {
class application;
}

namespace sabor::registration {
// /admin/events/{id}/mail-texts (the list, one page a mail with its preview, back to the
// default) and GET/PUT /api/v1/events/{id}/mail-texts, /api/v1/events/{id}/mail-texts/preview.
void register_mail_text_routes(app::application& a);
}  // namespace sabor::registration
