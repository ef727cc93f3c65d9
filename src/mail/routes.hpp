#pragma once

namespace sabor::app {
class application;
}

namespace sabor::mail {
// /admin/mail (the queue, resend, a test message) and /api/v1/mail...
void register_routes(app::application& a);
}  // namespace sabor::mail
