// Enums that the database, the API and the pages keep as text (a registration's status, an
// event's status, ...). Each enum has one table of names in the enum's order, next to it in
// its domain's model.hpp; these three functions are the only translation between the two.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sabor::util {

template <class E, std::size_t N>
constexpr std::string_view enum_name(const std::array<std::string_view, N>& names, E e) {
    return names[static_cast<std::size_t>(e)];
}

// Text from outside (a form, a filter, JSON): nothing when it names no value, so the caller
// answers the person who sent it.
template <class E, std::size_t N>
constexpr std::optional<E> enum_parse(const std::array<std::string_view, N>& names, std::string_view text) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == text) return static_cast<E>(i);
    return std::nullopt;
}

// Text read from the database. The schema's CHECK constraints allow only the names, so an
// unknown one is a schema this code does not know (a newer sabor, a hand edit): it throws
// (a logged 500) rather than guess, because any guess would decide seats or mail wrongly.
template <class E, std::size_t N>
E enum_stored(const std::array<std::string_view, N>& names, std::string_view text, std::string_view column) {
    if (auto e = enum_parse<E>(names, text)) return *e;
    throw std::runtime_error("unknown value '" + std::string(text) + "' in " + std::string(column));
}

}  // namespace sabor::util
