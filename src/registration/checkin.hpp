// Check-in: a code per registration (its id and an HMAC, so nothing more is stored and it
// cannot be guessed), the URL an organiser's phone opens from the participant's QR code,
// and the QR code itself as SVG (libqrencode).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace sabor::mail {
struct outgoing;
}

namespace sabor::registration {

std::string checkin_code(const std::string& secret, std::int64_t registration_id);
// The registration id when the code is genuine.
std::optional<std::int64_t> verify_checkin_code(const std::string& secret, const std::string& code);
std::string checkin_url(const std::string& public_base, const std::string& secret, std::int64_t registration_id);
// The participant's own check-in card (/card/{code}: the event, their name, the QR big enough
// to scan). Mails link here, never to the organisers' /admin/checkin page the QR opens.
std::string card_url(const std::string& public_base, const std::string& secret, std::int64_t registration_id);
// Puts the card into a mail: the link (data "card_url") and the QR as an inline PNG
// (data "checkin_qr" = its cid: address), for a confirmed registration.
void add_checkin_card(mail::outgoing& o, const std::string& public_base, const std::string& secret,
                      std::int64_t registration_id);
// A QR code for `text` as a standalone SVG image (black modules on white, 4-module margin).
std::string qr_svg(const std::string& text);
// The same as a data: URI for an <img>, allowed by our Content-Security-Policy.
std::string qr_data_uri(const std::string& text);

}  // namespace sabor::registration
