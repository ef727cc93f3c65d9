#include "mail/unsubscribe.hpp"

#include "mail/composer.hpp"

#include <sodium.h>

#include <array>

namespace sabor::mail {
namespace {

using key_t = std::array<unsigned char, crypto_secretbox_KEYBYTES>;

key_t derive_key(std::string_view secret) {
    key_t key;
    std::string input = "sabor unsubscribe v1:";
    input += secret;
    crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr, 0);
    return key;
}

}  // namespace

std::string unsubscribe_token(std::string_view secret, std::string_view email) {
    auto key = derive_key(secret);
    std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + email.size(), '\0');
    auto* out = reinterpret_cast<unsigned char*>(box.data());
    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(email.data()),
                          email.size(), out, key.data());
    std::string token(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(token.data(), token.size(), out, box.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    token.resize(token.size() - 1);  // the terminating NUL
    return token;
}

std::optional<std::string> unsubscribe_email(std::string_view secret, std::string_view token) {
    if (token.size() > 600) return std::nullopt;
    std::string box(token.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), token.data(), token.size(), nullptr, &len,
                          nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return std::nullopt;
    if (len <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
    auto key = derive_key(secret);
    const auto* in = reinterpret_cast<const unsigned char*>(box.data());
    std::string email(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(email.data()), in + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, in, key.data()) != 0)
        return std::nullopt;
    return email;
}

std::string unsubscribe_url(const std::string& public_base, const std::string& token) { return public_base + "/u/" + token; }

std::vector<std::pair<std::string, std::string>> bulk_headers(const std::string& url) {
    return {{"List-Unsubscribe", "<" + url + ">"}, {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
}

void make_bulk(mail::outgoing& o, const std::string& public_base, std::string_view secret) {
    auto url = unsubscribe_url(public_base, unsubscribe_token(secret, o.to_address));
    o.data["unsubscribe_url"] = url;
    auto headers = bulk_headers(url);
    o.extra_headers.insert(o.extra_headers.end(), headers.begin(), headers.end());
}

}  // namespace sabor::mail
