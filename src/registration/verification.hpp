// Optional e-mail verification (form_settings::verify_email): the checked input waits in
// registration_requests under a hashed random token, and a mail carries the link. Opening
// the link shows a button; only its POST registers, through the normal path, so the seat
// is decided at that moment inside the write transaction.
#pragma once
#include "registration/service.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sabor::registration {

inline constexpr std::int64_t verification_lifetime_seconds = 48 * 3600;

struct request_result {
    std::string token;              // the mailed link's token (only its hash is stored)
    std::int64_t expires_at = 0;    // Unix seconds
};

// Stores the checked input (replacing an earlier request for the same address and event)
// and queues the mail with the link, in one transaction. Says the same whether or not the
// address is already registered: that is told only to whoever opens the link.
request_result request_verification(context& c, const events::event& e, const input& in, std::int64_t now);

std::string verify_url(const std::string& public_base, const std::string& token);

// What opening a link finds, without changing anything.
struct pending {
    enum kind { found, unknown, expired } what = unknown;
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    input in;
    std::int64_t expires_at = 0;
};
pending find_request(storage::database& db, const std::string& token, std::int64_t now);

struct confirm_result {
    pending::kind what = pending::unknown;  // found: `registered` says what happened
    outcome registered;
    std::optional<events::event> event;
};
// The button's POST: registers through register_in_transaction and deletes the request in
// the same transaction. Unknown, expired, or refused (event closed, full without waiting
// list): nothing changes.
confirm_result confirm_request(context& c, const std::string& token, std::int64_t now);

// The input as stored and back (the answers as checked, not checked again).
std::string input_to_stored(const input& in);
std::optional<input> input_from_stored(const std::string& stored);

}  // namespace sabor::registration
