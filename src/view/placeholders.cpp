#include "view/placeholders.hpp"

#include "util/utf8.hpp"

#include <algorithm>

namespace sabor::view {

placeholder_text::placeholder_text(std::string_view text, placeholder_names allowed) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            pieces_.push_back({std::string(text.substr(pos)), false});
            break;
        }
        if (open > pos) pieces_.push_back({std::string(text.substr(pos, open - pos)), false});
        auto close = text.find("}}", open + 2);
        auto inner = close == std::string_view::npos ? text.substr(open + 2) : text.substr(open + 2, close - open - 2);
        auto name = util::trim(inner, " \t");
        if (close == std::string_view::npos ||
            std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            // Cut on a code point boundary: the tag is shown to the organiser.
            std::string shown(inner.substr(0, 40));
            while (!shown.empty() && !util::valid_utf8(shown)) shown.pop_back();
            throw placeholder_error{shown};
        }
        pieces_.push_back({name, true});
        pos = close + 2;
    }
}

std::string placeholder_text::fill(const placeholder_values& values) const {
    std::string out;
    for (const auto& p : pieces_) {
        if (!p.is_name) {
            out += p.text;
            continue;
        }
        if (auto it = values.find(p.text); it != values.end()) out += it->second;
    }
    return out;
}

bool placeholder_text::uses(std::string_view name) const {
    return std::any_of(pieces_.begin(), pieces_.end(), [name](const piece& p) { return p.is_name && p.text == name; });
}

std::optional<std::string> unknown_placeholder(std::string_view text, placeholder_names allowed) {
    try {
        placeholder_text t(text, allowed);
        return std::nullopt;
    } catch (const placeholder_error& e) {
        return e.tag;
    }
}

}  // namespace sabor::view
