#include "util/qr.hpp"

#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <csetjmp>
#include <memory>
#include <stdexcept>
#include <vector>

namespace sabor::util {
namespace {

void append_png(png_structp p, png_bytep data, png_size_t n) {
    static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
}

// Everything libpng may leave by longjmp happens in this function, and nothing in it is
// changed after setjmp and read after the jump, nor has a destructor: the caller owns the
// image and the output. False when libpng reported an error.
bool write_png(png_structp png, png_infop info, std::string* out, const png_byte* image, int size, std::size_t stride) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_write_fn(png, out, &append_png, nullptr);
    png_set_IHDR(png, info, static_cast<png_uint_32>(size), static_cast<png_uint_32>(size), 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_write_info(png, info);
    for (int y = 0; y < size; ++y) png_write_row(png, image + static_cast<std::size_t>(y) * stride);
    png_write_end(png, nullptr);
    return true;
}

}  // namespace

std::string qr_png(const std::string& text, int scale) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M),
                                                        &QRcode_free);
    if (!qr) throw std::runtime_error("cannot make a QR code");
    const int margin = 4, modules = qr->width + 2 * margin, size = modules * scale;
    // One bit per pixel (1 = white): a QR code needs no more, and it keeps the image small and quick to make.
    // The whole image is drawn before libpng is called, so no C++ object lives across its error jump.
    const std::size_t stride = static_cast<std::size_t>((size + 7) / 8);
    std::vector<png_byte> image(stride * static_cast<std::size_t>(size), png_byte{0});
    for (int y = 0; y < size; ++y) {
        int my = y / scale - margin;
        png_byte* row = image.data() + static_cast<std::size_t>(y) * stride;
        for (int x = 0; x < size; ++x) {
            int mx = x / scale - margin;
            bool dark = my >= 0 && mx >= 0 && my < qr->width && mx < qr->width && (qr->data[my * qr->width + mx] & 1);
            if (!dark) row[static_cast<std::size_t>(x / 8)] |= static_cast<png_byte>(0x80 >> (x % 8));
        }
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        throw std::runtime_error("cannot make a PNG");
    }
    std::string out;
    bool ok = write_png(png, info, &out, image.data(), size, stride);
    png_destroy_write_struct(&png, &info);
    if (!ok) throw std::runtime_error("cannot write the PNG");
    return out;
}

}  // namespace sabor::util
