#include "registration/refusal.hpp"

namespace sabor::registration {

std::string_view code(refusal r) {
    switch (r) {
        case refusal::not_found: return "not_found";
        case refusal::event_cancelled: return "event_cancelled";
        case refusal::event_over: return "event_over";
        case refusal::registration_closed: return "registration_closed";
        case refusal::invitation_only: return "invitation_only";
        case refusal::registration_not_open: return "registration_not_open";
        case refusal::registration_deadline: return "registration_deadline";
        case refusal::invitation_invalid: return "invitation_invalid";
        case refusal::invitation_used: return "invitation_used";
        case refusal::event_full: return "event_full";
        case refusal::unknown_value: return "unknown_value";
        case refusal::not_confirmed: return "not_confirmed";
        case refusal::desk_no_seat: return "desk_no_seat";
    }
    return "unknown_value";
}

int http_status(refusal r) {
    switch (r) {
        case refusal::not_found: return 404;
        case refusal::invitation_only:
        case refusal::invitation_invalid:
        case refusal::invitation_used: return 403;
        case refusal::unknown_value: return 422;
        default: return 409;
    }
}

}  // namespace sabor::registration
