// Unsubscribing from bulk mail (invitations today; any bulk kind can use it). The link's
// token is the address sealed with a key derived from the server secret (libsodium
// secretbox): nothing is stored per message, the address does not show in the link or the
// access log, and a forged token does not open. RFC 8058 one-click POSTs carry no CSRF
// token; the sealed token is the proof.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sabor::mail {

struct outgoing;

std::string unsubscribe_token(std::string_view secret, std::string_view email);
// The address sealed in a token, or nullopt when it was not made by us.
std::optional<std::string> unsubscribe_email(std::string_view secret, std::string_view token);

std::string unsubscribe_url(const std::string& public_base, const std::string& token);
// List-Unsubscribe (the https link) and List-Unsubscribe-Post (RFC 8058) for a message.
std::vector<std::pair<std::string, std::string>> bulk_headers(const std::string& unsubscribe_url);
// Makes `o` a bulk message: the headers above and `unsubscribe_url` for its templates'
// visible link (every bulk kind shows it: invitations, scheduled messages, announcements).
void make_bulk(mail::outgoing& o, const std::string& public_base, std::string_view secret);

}  // namespace sabor::mail
