#include "registration/checkin.hpp"

#include "mail/composer.hpp"
#include "util/signed_token.hpp"

#include <qrencode.h>

#include <csetjmp>
#include <vector>
#include <sodium.h>

#include <charconv>
#include <memory>
#include <stdexcept>

namespace sabor::registration {

std::string checkin_code(const std::string& secret, std::int64_t id) {
    return util::sign_id(secret, util::token_purpose::checkin, id, 24);
}

std::optional<std::int64_t> verify_checkin_code(const std::string& secret, const std::string& code) {
    return util::verify_id(secret, util::token_purpose::checkin, code, 24);
}

std::string checkin_url(const std::string& public_base, const std::string& secret, std::int64_t id) {
    return public_base + "/admin/checkin/" + checkin_code(secret, id);
}

std::string card_url(const std::string& public_base, const std::string& secret, std::int64_t id) {
    return public_base + "/card/" + checkin_code(secret, id);
}

void add_checkin_card(mail::outgoing& o, const std::string& public_base, const std::string& secret, std::int64_t id) {
    o.data["card_url"] = card_url(public_base, secret, id);
    // The QR itself is drawn when the message is composed (qr_text), so the outbox keeps a URL, not an image.
    o.attachments.push_back({"check-in.png", "image/png", "", "checkin-qr@sabor", checkin_url(public_base, secret, id)});
    o.data["checkin_qr"] = "cid:checkin-qr@sabor";
}

std::string qr_svg(const std::string& text) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M),
                                                        &QRcode_free);
    if (!qr) throw std::runtime_error("cannot make a QR code");
    const int margin = 4, size = qr->width + 2 * margin;
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
                      std::to_string(size) + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" " +
                      "fill=\"#fff\"/><path fill=\"#000\" d=\"";
    for (int y = 0; y < qr->width; ++y)
        for (int x = 0; x < qr->width; ++x)
            if (qr->data[y * qr->width + x] & 1)
                svg += "M" + std::to_string(x + margin) + "," + std::to_string(y + margin) + "h1v1h-1z";
    svg += "\"/></svg>";
    return svg;
}

std::string qr_data_uri(const std::string& text) {
    auto svg = qr_svg(text);
    std::string out(sodium_base64_ENCODED_LEN(svg.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(svg.data()), svg.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return "data:image/svg+xml;base64," + out;
}

}  // namespace sabor::registration
