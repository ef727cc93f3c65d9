#pragma once

#include <string>
#include <string_view>

namespace sabor::view {

// Escapes & < > " ' for use in HTML text and quoted attribute values.
std::string html_escape(std::string_view s);

// Turns organiser-typed plain text into safe HTML: blank-line separated
// blocks become <p>, single newlines <br>, and http(s) URLs become links.
// Everything else is escaped. Empty (or blank) input gives "".
std::string render_description(std::string_view text);

}  // namespace sabor::view
