#include "contacts/refusal.hpp"

namespace sabor::contacts {

std::string_view code(import_refusal r) {
    switch (r) {
        case import_refusal::too_large: return "import_too_large";
        case import_refusal::empty: return "import_empty";
        case import_refusal::encoding: return "import_encoding";
        case import_refusal::not_xlsx: return "import_not_xlsx";
        case import_refusal::no_header: return "import_no_header";
        case import_refusal::missing_columns: return "import_missing_columns";
        case import_refusal::broken_quoting: return "import_broken_quoting";
    }
    return "import_not_xlsx";
}

std::string_view code(skip_reason r) {
    switch (r) {
        case skip_reason::control_chars: return "import_control_chars";
        case skip_reason::too_long: return "import_too_long";
        case skip_reason::missing_name: return "import_missing_name";
        case skip_reason::missing_email: return "import_missing_email";
        case skip_reason::bad_email: return "import_bad_email";
        case skip_reason::bad_organisation_type: return "import_bad_organisation_type";
    }
    return "import_bad_email";
}

std::string_view code(campaign_refusal r) {
    switch (r) {
        case campaign_refusal::event_not_published: return "event_not_published";
    }
    return "event_not_published";
}

int http_status(campaign_refusal r) {
    switch (r) {
        case campaign_refusal::event_not_published: return 409;
    }
    return 409;
}

// Its own key: error_event_not_published is the registration's message for another case.
std::string message_key(campaign_refusal r) { return "error_invitation_" + std::string(code(r)); }

}  // namespace sabor::contacts
