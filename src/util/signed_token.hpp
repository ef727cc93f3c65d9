// Values signed with the server's secret (HMAC-SHA-256), in one place: the CSRF token bound
// to a browser's cookie, registrants' links to materials, check-in codes. Each purpose signs
// "<purpose>:<value>", so a token made for one purpose never verifies for another, and the
// MAC is compared in constant time. The formats are what links and QR codes already carry:
// changing a purpose's name or length breaks every link sent out with it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sabor::util {

enum class token_purpose {
    csrf,       // the form token: MAC of the sabor_csrf cookie
    materials,  // a registrant's key to an event's materials: "<registration id>-<MAC>"
    checkin,    // a registrant's check-in code (QR, card): "<registration id>-<MAC>"
};

std::string_view purpose_name(token_purpose purpose);

// The MAC of `value` as lowercase hex, cut to `length` characters (16..64, else
// std::invalid_argument).
std::string token_mac(std::string_view secret, token_purpose purpose, std::string_view value, std::size_t length);
// Whether `mac` is the MAC of `value`: for a token that travels apart from its value.
bool token_mac_ok(std::string_view secret, token_purpose purpose, std::string_view value, std::string_view mac,
                  std::size_t length);

// "<value>-<MAC>".
std::string sign_token(std::string_view secret, token_purpose purpose, std::string_view value, std::size_t length);
// The value of a genuine "<value>-<MAC>" (the MAC after the last '-'), else nullopt.
std::optional<std::string> verify_token(std::string_view secret, token_purpose purpose, std::string_view token,
                                        std::size_t length);

// The same for a database id: "<id>-<MAC>"; verifying gives the positive id, written as
// sign_id writes it (no sign, no leading zeros).
std::string sign_id(std::string_view secret, token_purpose purpose, std::int64_t id, std::size_t length);
std::optional<std::int64_t> verify_id(std::string_view secret, token_purpose purpose, std::string_view token,
                                      std::size_t length);

}  // namespace sabor::util
