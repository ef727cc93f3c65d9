// The status of a message in the outbox: waiting (or waiting to be retried), being handed to
// the server, sent, failed for good. Stored and sent as the names below (util/enum_text.hpp).
#pragma once
#include "util/enum_text.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace sabor::mail {

enum class message_status { queued, sending, sent, failed };
inline constexpr std::array<std::string_view, 4> statuses{"queued", "sending", "sent", "failed"};
constexpr std::string_view to_string(message_status s) { return util::enum_name(statuses, s); }
constexpr std::optional<message_status> parse_status(std::string_view s) { return util::enum_parse<message_status>(statuses, s); }

}  // namespace sabor::mail
