// Organisers told of requests awaiting approval on moderated events: each manager of the
// event gets a mail per request, or, by their choice, one digest a day listing the new ones.
// Both go through the outbox: the per-request mail in the registration's own transaction,
// the digest by the scheduling thread of `serve`, marked done in the digest's transaction.
#pragma once
#include "events/model.hpp"
#include "registration/model.hpp"
#include "registration/service.hpp"

#include <cstdint>
#include <string>

namespace sabor::app {
class application;
}

namespace sabor::registration {

// The local hour from which the day's digest goes out (the site's time zone).
inline constexpr int digest_hour = 8;

// A new pending request `r`: mails to managers who want each one, a line in the next digest
// for the others. Call inside the registration's transaction.
void notify_request(context& c, const events::event& e, const registration& r);

// Queues the day's digest for every organiser whose time has come (at or after digest_hour
// in `timezone`, none yet that day, new pending requests waiting), each in its own
// transaction. Returns how many were queued.
int send_request_digests(storage::database& db, const mail::composer& mail, const std::string& public_base,
                         const std::string& timezone, std::int64_t now);

// /admin/notifications: the organiser's choice.
void register_notice_routes(app::application& a);

}  // namespace sabor::registration
