#include "view/field_errors.hpp"

#include "view/i18n.hpp"

namespace sabor::view {

std::map<std::string, std::string> localise(const field_errors& errors, const i18n& texts, const std::string& lang) {
    std::map<std::string, std::string> out;
    for (const auto& [field, err] : errors) out[field] = texts.text(lang, err.key, err.args);
    return out;
}

}  // namespace sabor::view
