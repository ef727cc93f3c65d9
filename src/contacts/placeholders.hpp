// The organiser's subject and text with {{name}}-style placeholders. Only the names below
// are allowed (anything else, sections or triple braces are refused), so a typo is caught
// before anything is sent. Parsed once per campaign, filled in per recipient.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::contacts {

inline constexpr std::array<std::string_view, 10> placeholder_names{
    "name", "organisation", "position", "town", "event_title", "event_date", "venue", "event_url", "link", "decline_link"};

class placeholder_text {
public:
    // Throws placeholder_error for an unknown name or a broken tag.
    explicit placeholder_text(std::string_view text);
    // Plain text: values are put in as they are (the HTML part escapes them later).
    std::string fill(const std::map<std::string, std::string, std::less<>>& values) const;

private:
    struct piece {
        std::string text;
        bool is_name = false;
    };
    std::vector<piece> pieces_;
};

struct placeholder_error {
    std::string tag;  // what was between the braces (cut to 40 characters)
};

// nullopt when every placeholder is known; else the offending tag.
std::optional<std::string> unknown_placeholder(std::string_view text);

}  // namespace sabor::contacts
