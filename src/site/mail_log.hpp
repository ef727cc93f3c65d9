#pragma once

namespace sabor::app {
class application;
}

namespace sabor::site {
// /admin/mail (the queue, resend, a test message) and /api/v1/mail...
void register_mail_routes(app::application& a);
}  // namespace sabor::site
