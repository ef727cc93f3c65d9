// Page templates (mustache), parsed once at start-up. Data is a JSON value, the same
// shape the API returns, so domain code never sees the template engine.
#pragma once
#include <boost/json/value.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace sabor::view {

// Under test (SABOR_TEST_STRICT_TEMPLATES=1): a template section reading a value from an
// outer context, or a message key missing from the catalogs, is an error instead of a
// silent fallback.
bool strict_checks();

struct template_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class templates {
public:
    // Loads every *.mustache under dir; "{{> name}}" includes dir/partials/name.mustache,
    // inlined at load time so rendering never parses. Throws template_error naming the file.
    // `plain(name)` says which templates produce plain text (mail subjects and text parts):
    // those do not HTML-escape {{x}}.
    explicit templates(const std::filesystem::path& dir, std::function<bool(std::string_view)> plain = {});
    ~templates();
    bool has(std::string_view name) const;
    std::string render(std::string_view name, const boost::json::value& data) const;

private:
    struct compiled;
    std::map<std::string, std::unique_ptr<compiled>, std::less<>> pages_;
};

}  // namespace sabor::view
