#include "util/signed_token.hpp"

#include "util/crypto.hpp"

#include <charconv>
#include <stdexcept>

namespace sabor::util {

std::string_view purpose_name(token_purpose purpose) {
    switch (purpose) {
        case token_purpose::csrf: return "csrf";
        case token_purpose::materials: return "materials";
        case token_purpose::checkin: return "checkin";
    }
    throw std::invalid_argument("unknown token purpose");
}

std::string token_mac(std::string_view secret, token_purpose purpose, std::string_view value, std::size_t length) {
    if (length < 16 || length > 64) throw std::invalid_argument("a token's MAC is 16 to 64 hex digits");
    std::string message(purpose_name(purpose));
    message += ':';
    message += value;
    return hmac_hex(secret, message).substr(0, length);
}

bool token_mac_ok(std::string_view secret, token_purpose purpose, std::string_view value, std::string_view mac,
                  std::size_t length) {
    return constant_time_equal(mac, token_mac(secret, purpose, value, length));
}

std::string sign_token(std::string_view secret, token_purpose purpose, std::string_view value, std::size_t length) {
    return std::string(value) + "-" + token_mac(secret, purpose, value, length);
}

std::optional<std::string> verify_token(std::string_view secret, token_purpose purpose, std::string_view token,
                                        std::size_t length) {
    auto dash = token.rfind('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto value = token.substr(0, dash);
    if (!token_mac_ok(secret, purpose, value, token.substr(dash + 1), length)) return std::nullopt;
    return std::string(value);
}

std::string sign_id(std::string_view secret, token_purpose purpose, std::int64_t id, std::size_t length) {
    return sign_token(secret, purpose, std::to_string(id), length);
}

std::optional<std::int64_t> verify_id(std::string_view secret, token_purpose purpose, std::string_view token,
                                      std::size_t length) {
    auto value = verify_token(secret, purpose, token, length);
    if (!value) return std::nullopt;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), id);
    // Only an id's own spelling was ever signed.
    if (ec != std::errc{} || end != value->data() + value->size() || id <= 0 || std::to_string(id) != *value)
        return std::nullopt;
    return id;
}

}  // namespace sabor::util
