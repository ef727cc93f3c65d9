// What was wrong with each field of a form or a JSON body: a message key from the catalogs
// with its placeholders per field, localised only when the answer is written. Every domain's
// checks fill one; the page shows it beside the fields, the API as {"error": {"fields"}}.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sabor::view {

class i18n;

struct field_error {
    std::string key;
    std::vector<std::pair<std::string, std::string>> args;
};
using field_errors = std::map<std::string, field_error>;

// Each field's message in `lang`.
std::map<std::string, std::string> localise(const field_errors& errors, const i18n& texts, const std::string& lang);

}  // namespace sabor::view
