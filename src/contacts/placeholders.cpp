#include "contacts/placeholders.hpp"

#include "util/utf8.hpp"

#include <algorithm>

namespace sabor::contacts {

placeholder_text::placeholder_text(std::string_view text) {
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
        auto name = util::trim(inner, " ");
        if (close == std::string_view::npos ||
            std::find(placeholder_names.begin(), placeholder_names.end(), name) == placeholder_names.end()) {
            // Cut on a code point boundary: the tag is shown to the organiser.
            std::string shown(inner.substr(0, 40));
            while (!shown.empty() && !util::valid_utf8(shown)) shown.pop_back();
            throw placeholder_error{shown};
        }
        pieces_.push_back({name, true});
        pos = close + 2;
    }
}

std::string placeholder_text::fill(const std::map<std::string, std::string, std::less<>>& values) const {
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

std::optional<std::string> unknown_placeholder(std::string_view text) {
    try {
        placeholder_text t(text);
        return std::nullopt;
    } catch (const placeholder_error& e) {
        return e.tag;
    }
}

}  // namespace sabor::contacts
