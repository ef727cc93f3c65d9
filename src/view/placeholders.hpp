// An organiser's subject or text with {{name}}-style placeholders (invitations, reminders,
// thank-yous). Only the names the caller allows are accepted (anything else, sections,
// partials or triple braces are refused), so a typo is caught when the text is saved, not
// when the mail goes out. Parsed once, filled in per recipient; values go in as they are
// (plain text: the HTML part escapes them later).
#pragma once
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::view {

using placeholder_names = std::span<const std::string_view>;
using placeholder_values = std::map<std::string, std::string, std::less<>>;

struct placeholder_error {
    std::string tag;  // what was between the braces, as written (at most 40 characters)
};

class placeholder_text {
public:
    // Throws placeholder_error for a name not in `allowed` or a tag left open.
    placeholder_text(std::string_view text, placeholder_names allowed);
    std::string fill(const placeholder_values& values) const;
    bool uses(std::string_view name) const;

private:
    struct piece {
        std::string text;
        bool is_name = false;
    };
    std::vector<piece> pieces_;
};

// nullopt when every placeholder in `text` is allowed; else the offending tag.
std::optional<std::string> unknown_placeholder(std::string_view text, placeholder_names allowed);

}  // namespace sabor::view
