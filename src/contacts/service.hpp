// The rules for contacts: checking what organisers type or send, merging imported rows
// into the address book (by e-mail, case-insensitive), and the JSON shapes.
#pragma once
#include "contacts/csv_import.hpp"
#include "contacts/model.hpp"
#include "events/service.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace sabor::contacts {

using view::field_errors;

inline constexpr std::size_t max_tags_per_contact = 50;
inline constexpr std::size_t max_tag_length = 100;
// A CSV or XLSX larger than this is refused from its Content-Length (413).
inline constexpr std::size_t import_max_bytes = 20u * 1024 * 1024;

// Checks a tag (trimmed, 1-100 characters, no control characters or markup); the message key when bad.
std::optional<std::string> check_tag(std::string& tag);

// A contact from JSON; for a PATCH, fields not sent keep the values in `base`.
contact contact_from_json(const boost::json::object& body, const contact& base, field_errors& errors);
// A contact from the admin form (tags as one text, separated by commas).
contact contact_from_form(const std::vector<std::pair<std::string, std::string>>& form, field_errors& errors);
// Lengths, UTF-8, control characters and markup in names, a usable address, a known type.
void validate(contact& c, field_errors& errors);

// What an import does to the address book.
struct import_plan_row {
    contact_row row;
    std::string action;  // "new" or "merge"
    std::optional<std::int64_t> existing_id;
};
std::vector<import_plan_row> plan_import(storage::database& db, const import_result& parsed);
struct import_counts {
    std::int64_t created = 0, updated = 0;
};
// Writes the plan: new contacts inserted, existing ones updated with the file's non-empty
// fields and its tags added (plus `extra_tags` for every row). Call inside a transaction.
import_counts apply_import(storage::database& db, const import_result& parsed, const std::vector<std::string>& extra_tags,
                           std::int64_t now);

boost::json::object to_json(const contact& c);
// The file's refusal as a sentence in `lang` (the missing columns named, the line given).
std::string import_message(const view::i18n& texts, const std::string& lang, import_refusal why,
                           const std::vector<std::string>& missing = {}, std::size_t line = 0);

}  // namespace sabor::contacts
