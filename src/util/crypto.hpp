// Everything cryptographic goes through libsodium: tokens, token hashes, argon2id passwords.
#pragma once
#include <string>
#include <string_view>

namespace sabor::util {

void crypto_init();  // once, before threads start

std::string sha256_hex(std::string_view data);
// A random token of `bytes` bytes (>= 16 = 128 bits) as URL-safe base64 without padding.
std::string random_token(std::size_t bytes = 32);
// What we store for a token: its SHA-256. Tokens are random, so a fast hash is enough.
std::string token_hash(std::string_view token);
// HMAC-SHA-256 as hex, for CSRF tokens bound to a cookie.
std::string hmac_hex(std::string_view key, std::string_view message);
// Standard base64 with padding, for binary data kept in JSON or text columns.
std::string base64_encode(std::string_view data);
// Empty optional-free form: throws std::invalid_argument on malformed input.
std::string base64_decode(std::string_view text);
bool constant_time_equal(std::string_view a, std::string_view b);

// argon2id via crypto_pwhash_str_alg; the string carries its own salt and parameters.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view stored, std::string_view password);

}  // namespace sabor::util
