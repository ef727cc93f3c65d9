#include "mail/texts.hpp"

#include <algorithm>
#include <array>

namespace sabor::mail {
namespace {

using names = std::array<std::string_view, 6>;
constexpr names with_place{"name", "event_title", "event_date", "venue", "event_url", "manage_url"};
constexpr std::array<std::string_view, 7> waitlisted{"name",      "event_title", "event_date",    "venue",
                                                     "event_url", "manage_url",  "waitlist_place"};
constexpr std::array<std::string_view, 5> no_link{"name", "event_title", "event_date", "venue", "event_url"};
constexpr std::array<std::string_view, 6> materials{"name",      "event_title",   "event_date",
                                                    "event_url", "materials_url", "archive_url"};

constexpr std::array<editable_kind, 9> kinds{{
    {"registration_received", with_place},
    {"registration_confirmed", with_place},
    {"registration_waitlisted", waitlisted},
    {"registration_promoted", with_place},
    {"registration_approved", with_place},
    {"registration_rejected", no_link},
    {"registration_cancelled", no_link},
    {"event_cancelled", with_place},
    {"materials_online", materials},
}};

// Placeholder name -> template data key, where they differ.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> aliases{{
    {"event_date", "event_when"}, {"venue", "event_where"}, {"waitlist_place", "position"}}};

}  // namespace

std::span<const editable_kind> editable_kinds() { return kinds; }

const editable_kind* find_editable(std::string_view kind) {
    auto it = std::find_if(kinds.begin(), kinds.end(), [kind](const editable_kind& k) { return k.kind == kind; });
    return it == kinds.end() ? nullptr : &*it;
}

view::placeholder_values placeholder_values_of(const boost::json::object& data) {
    view::placeholder_values out;
    for (const auto& [key, value] : data)
        if (value.is_string()) out[std::string(key)] = std::string(value.get_string());
    for (const auto& [name, key] : aliases)
        if (auto it = out.find(key); it != out.end()) out[std::string(name)] = it->second;
    return out;
}

}  // namespace sabor::mail
