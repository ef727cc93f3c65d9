#include "registration/checkin.hpp"

#include "util/crypto.hpp"

#include <png.h>
#include <qrencode.h>

#include <csetjmp>
#include <vector>
#include <sodium.h>

#include <charconv>
#include <memory>
#include <stdexcept>

namespace sabor::registration {

std::string checkin_code(const std::string& secret, std::int64_t id) {
    auto n = std::to_string(id);
    return n + "-" + util::hmac_hex(secret, "checkin:" + n).substr(0, 24);
}

std::optional<std::int64_t> verify_checkin_code(const std::string& secret, const std::string& code) {
    auto dash = code.find('-');
    if (dash == std::string::npos || dash == 0) return std::nullopt;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(code.data(), code.data() + dash, id);
    if (ec != std::errc{} || end != code.data() + dash || id <= 0) return std::nullopt;
    if (!util::constant_time_equal(code, checkin_code(secret, id))) return std::nullopt;
    return id;
}

std::string checkin_url(const std::string& public_base, const std::string& secret, std::int64_t id) {
    return public_base + "/admin/checkin/" + checkin_code(secret, id);
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

std::string qr_png(const std::string& text, int scale) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M),
                                                        &QRcode_free);
    if (!qr) throw std::runtime_error("cannot make a QR code");
    const int margin = 4, modules = qr->width + 2 * margin, size = modules * scale;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        throw std::runtime_error("cannot make a PNG");
    }
    std::string out;
    std::vector<png_byte> row(static_cast<std::size_t>(size));
    // libpng reports errors by longjmp: nothing with a destructor is created below this point.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw std::runtime_error("cannot write the PNG");
    }
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep data, png_size_t n) {
            static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
        },
        nullptr);
    png_set_IHDR(png, info, static_cast<png_uint_32>(size), static_cast<png_uint_32>(size), 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < size; ++y) {
        int my = y / scale - margin;
        for (int x = 0; x < size; ++x) {
            int mx = x / scale - margin;
            bool dark = my >= 0 && mx >= 0 && my < qr->width && mx < qr->width && (qr->data[my * qr->width + mx] & 1);
            row[static_cast<std::size_t>(x)] = dark ? 0 : 255;
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
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
