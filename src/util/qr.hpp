// QR codes as PNG images (libqrencode + libpng), for mail: clients show neither SVG nor data: URIs.
#pragma once
#include <string>

namespace sabor::util {

// Black modules on white with a 4-module margin, `scale` pixels per module.
std::string qr_png(const std::string& text, int scale = 6);

}  // namespace sabor::util
