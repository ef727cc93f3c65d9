#include "util/qr.hpp"

#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <csetjmp>
#include <memory>
#include <stdexcept>
#include <vector>

namespace sabor::util {

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
    // One bit per pixel (1 = white): a QR code needs no more, and it keeps the image small and quick to make.
    std::vector<png_byte> row(static_cast<std::size_t>((size + 7) / 8));
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
    png_set_IHDR(png, info, static_cast<png_uint_32>(size), static_cast<png_uint_32>(size), 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_write_info(png, info);
    for (int y = 0; y < size; ++y) {
        int my = y / scale - margin;
        std::fill(row.begin(), row.end(), png_byte{0});
        for (int x = 0; x < size; ++x) {
            int mx = x / scale - margin;
            bool dark = my >= 0 && mx >= 0 && my < qr->width && mx < qr->width && (qr->data[my * qr->width + mx] & 1);
            if (!dark) row[static_cast<std::size_t>(x / 8)] |= static_cast<png_byte>(0x80 >> (x % 8));
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

}  // namespace sabor::util
