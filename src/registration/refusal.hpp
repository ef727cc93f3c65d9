// Why a registration, or a change to one, was refused: a value, not a message key. Its code
// is the API's error code and names its message ("error_" + code in the catalogs).
#pragma once
#include <string>
#include <string_view>

namespace sabor::registration {

enum class refusal {
    not_found,              // the event is not published
    event_cancelled,
    event_over,
    registration_closed,
    invitation_only,
    registration_not_open,
    registration_deadline,
    invitation_invalid,
    invitation_used,
    event_full,
    unknown_value,   // a status or action sabor does not know
    not_confirmed,   // checking in someone without a seat
    desk_no_seat,    // the last seat went while the desk was looking
};

std::string_view code(refusal r);
int http_status(refusal r);
// The catalog key of its message.
inline std::string message_key(refusal r) { return "error_" + std::string(code(r)); }

}  // namespace sabor::registration
