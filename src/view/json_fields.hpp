// One reader for the fields of a JSON object: a table says which fields the object may
// have, of which type, and which must be there. Reading reports unknown fields, missing
// ones and wrong types into field_errors with the message keys every API answers
// (error_unknown_field, error_must_be_text, ...), then hands out the values by name.
// What a value means (a known talk, a valid language) stays the caller's check.
#pragma once
#include "view/field_errors.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::view {

enum class json_type { text, integer, boolean, list, object, any };

struct json_field {
    std::string_view name;
    json_type type = json_type::any;
    bool required = false;        // missing: `error`, or error_required
    bool nullable = false;        // null is accepted (get() gives the null, text() etc. nothing)
    std::string_view error = {};  // the key for a wrong type (and a missing required field);
                                  // by default the type's own: error_must_be_text, _number, ...
    std::string_view reported_as = {};  // the field name errors go under, when not `name`
    bool ignored = false;         // a read-only field of the GET shape sent back: accepted, not read
    bool read_only = false;       // a read-only field that may not be sent: error_read_only
};

// The message key a wrong value of `type` gets when the table names none.
std::string_view type_error(json_type type);

class json_fields {
public:
    // Checks `o` against `table`. Every error goes under `prefix` + the field's name; an
    // unknown name that is not valid UTF-8, or longer than `longest_echoed` bytes, is reported
    // as prefix + "?". Errors already in `errors` for other fields stay.
    json_fields(const boost::json::object& o, std::span<const json_field> table, field_errors& errors,
                std::string prefix = {}, std::size_t longest_echoed = no_limit);
    // The values point into the object: it must outlive the reader.
    json_fields(boost::json::object&&, std::span<const json_field>, field_errors&, std::string = {},
                std::size_t = no_limit) = delete;

    static constexpr std::size_t no_limit = static_cast<std::size_t>(-1);

    // The value when it was sent with the right type (or null, for a nullable field), else nullptr.
    // Asking for a name the table lacks is a programming error: std::logic_error.
    const boost::json::value* get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name) != nullptr; }
    bool is_null(std::string_view name) const;
    std::optional<std::string> text(std::string_view name) const;
    std::optional<bool> boolean(std::string_view name) const;
    // Any JSON integer; one above INT64_MAX reads as INT64_MAX (out of every range a caller checks).
    std::optional<std::int64_t> integer(std::string_view name) const;
    const boost::json::array* list(std::string_view name) const;
    const boost::json::object* object(std::string_view name) const;

    // True when this object added no error.
    bool ok() const { return ok_; }

private:
    std::size_t index(std::string_view name) const;

    std::vector<json_field> table_;
    std::vector<const boost::json::value*> values_;  // by table position
    bool ok_ = true;
};

}  // namespace sabor::view
