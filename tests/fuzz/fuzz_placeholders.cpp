// libFuzzer target for the organisers' {{placeholder}} texts (invitations, reminders, mail
// texts). The first byte picks which names are allowed; the rest is the text. A text is
// either refused (and unknown_placeholder names the same tag) or filled: with every value
// empty, the result is the text without its tags; valid UTF-8 stays valid UTF-8.
#include "fuzz_common.hpp"
#include "view/placeholders.hpp"

#include <array>
#include <cstdint>
#include <string>

using namespace sabor::view;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::array<std::string_view, 4> names{"name", "event_title", "manage_url", "a"};
    std::span<const std::string_view> allowed(names.data(), data[0] % (names.size() + 1));
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto bad = unknown_placeholder(text, allowed);
    try {
        placeholder_text t(text, allowed);
        fuzz::check(!bad.has_value(), "accepted a text unknown_placeholder refuses");
        placeholder_values empty, full;
        for (auto n : allowed) {
            empty[std::string(n)] = "";
            full[std::string(n)] = "Мария <b>&";
        }
        auto without = t.fill(empty);
        fuzz::check(without.size() <= text.size(), "filling with nothing made the text longer");
        fuzz::check(without.find("{{") == std::string::npos || text.find("{{") != std::string::npos,
                    "braces appeared from nowhere");
        if (sabor::util::valid_utf8(text)) fuzz::check_utf8(t.fill(full), "valid UTF-8 filled is not UTF-8");
    } catch (const placeholder_error& e) {
        fuzz::check(bad.has_value() && *bad == e.tag, "refused a text unknown_placeholder accepts");
        fuzz::check(e.tag.size() <= 40, "the shown tag is longer than 40 bytes");
        fuzz::check_utf8(e.tag, "the shown tag is not UTF-8");
    }
    return 0;
}
