// Why contacts refused something, as values, not message keys: a contact import that refused
// a whole file or skipped one row of it, a campaign that cannot be created, an invitation link
// that cannot be used. A code is what the API answers ("code" of the refused file,
// "errors[].code" of a skipped row, a campaign's error code) and names its message
// ("error_" + code in the catalogs, unless said otherwise).
#pragma once
#include <string>
#include <string_view>

namespace sabor::contacts {

// The whole file is refused (the API answers 422, the page shows the message).
enum class import_refusal {
    too_large,        // over 64 MiB, too many rows or columns, an XLSX part too large
    empty,            // no bytes, no rows, or a header and no contacts
    encoding,         // neither UTF-8, UTF-16 with a BOM nor Bulgarian Windows-1251
    not_xlsx,         // not a workbook libzip and expat can read
    no_header,        // no row with known column names at the top
    missing_columns,  // the name or the e-mail column is absent
    broken_quoting,   // a quote opened and never closed
};

// One row is left out and the rest imported.
enum class skip_reason {
    control_chars,
    too_long,
    missing_name,
    missing_email,
    bad_email,
    bad_organisation_type,
};

std::string_view code(import_refusal r);
std::string_view code(skip_reason r);
// The catalog key of its message.
inline std::string message_key(import_refusal r) { return "error_" + std::string(code(r)); }
inline std::string message_key(skip_reason r) { return "error_" + std::string(code(r)); }

// An invitation campaign is refused.
enum class campaign_refusal {
    event_not_published,  // 409; its message is error_invitation_event_not_published
};

std::string_view code(campaign_refusal r);
int http_status(campaign_refusal r);
std::string message_key(campaign_refusal r);

// Why an invitation link cannot be used to register (registration answers it with its own
// refusal: invitation_invalid, invitation_used).
enum class invitation_refusal {
    invalid,  // unknown, forged, or of another event
    used,     // someone already registered through it
};

}  // namespace sabor::contacts
