#include "cli/compose.hpp"

#include "app/app.hpp"
#include "contacts/invitations.hpp"
#include "contacts/routes.hpp"
#include "events/routes.hpp"
#include "materials/routes.hpp"
#include "programme/routes.hpp"
#include "registration/admin.hpp"
#include "registration/notices.hpp"
#include "registration/routes.hpp"
#include "registration/scheduled.hpp"
#include "site/account.hpp"
#include "site/audit_log.hpp"
#include "site/mail_log.hpp"
#include "site/password_reset.hpp"
#include "site/sign_in.hpp"
#include "site/users.hpp"
#include "util/clock.hpp"

#include <chrono>
#include <iostream>

namespace sabor::cli {

void add_routes(app::application& a) {
    site::register_sign_in_routes(a);
    site::register_password_reset_routes(a);
    site::register_account_routes(a);
    site::register_user_routes(a);
    // The programme and the materials are shown with their event and go with a deleted
    // draft; a registrant's materials are on their personal page.
    events::register_routes(a, {programme::event_part(), materials::event_part()});
    site::register_mail_routes(a);
    registration::register_routes(a, {materials::personal_part()});
    registration::register_admin_routes(a);
    registration::register_form_routes(a);
    registration::register_notice_routes(a);
    programme::register_routes(a);
    materials::register_routes(a);
    contacts::register_routes(a);
    site::register_audit_routes(a);
}

void scheduled_round(app::application& a) {
    auto conn = a.db.acquire();
    auto started = std::chrono::steady_clock::now();
    auto messages = registration::send_due(*conn, a.mail, a.cfg.public_base(), a.secret, util::now_seconds());
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    // On stderr (stdout's first line is the address scripts wait for); bench/reminders.sh reads it.
    if (messages > 0) std::cerr << "scheduled messages: " << messages << " queued in " << ms.count() << " ms" << std::endl;
    contacts::invite_context ic{*conn, a.mail, a.cfg.public_base(), a.secret};
    auto invitations = contacts::run_due_campaigns(ic, util::now_seconds());
    if (invitations > 0) std::cerr << "scheduled invitations: " << invitations << " queued" << std::endl;
    registration::send_request_digests(*conn, a.mail, a.cfg.public_base(), a.cfg.i18n.timezone, util::now_seconds());
}

}  // namespace sabor::cli
