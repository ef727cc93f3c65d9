// Message catalogs (web/i18n/bg.toml and en.toml, plus bg/*.toml and en/*.toml, one file a
// domain): every text of the interface. Bulgarian is the default and the reference; English
// must have exactly the same keys.
#pragma once
#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sabor::view {

struct i18n_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class i18n {
public:
    static constexpr const char* locales[] = {"bg", "en"};

    // Loads both catalogs; throws i18n_error when one is missing, malformed, or their keys differ.
    i18n(const std::filesystem::path& dir, std::string default_locale);

    const std::string& default_locale() const { return default_; }
    bool supported(std::string_view lang) const { return catalogs_.count(std::string(lang)) > 0; }
    // The whole catalog, for templates ({{t.key}}).
    const boost::json::object& catalog(std::string_view lang) const;
    bool has(std::string_view lang, std::string_view key) const { return catalog(lang).contains(key); }
    // One message with {name} placeholders filled in; the key itself when unknown (under test,
    // view::strict_checks(), an unknown key throws i18n_error: a caller that may ask for a key
    // that does not exist checks has() first).
    std::string text(std::string_view lang, std::string_view key,
                     const std::vector<std::pair<std::string, std::string>>& args = {}) const;

    // Chooses a supported locale from an Accept-Language header ("bg-BG,bg;q=0.9,en;q=0.8").
    std::string from_accept_language(std::string_view header) const;

private:
    std::string default_;
    std::map<std::string, boost::json::object, std::less<>> catalogs_;
};

}  // namespace sabor::view
