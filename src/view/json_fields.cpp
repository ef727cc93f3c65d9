#include "view/json_fields.hpp"

#include "util/utf8.hpp"

#include <limits>
#include <stdexcept>

namespace sabor::view {

namespace json = boost::json;

std::string_view type_error(json_type type) {
    switch (type) {
        case json_type::text: return "error_must_be_text";
        case json_type::integer: return "error_must_be_number";
        case json_type::boolean: return "error_must_be_bool";
        case json_type::list: return "error_must_be_list";
        case json_type::object: return "error_must_be_object";
        case json_type::any: break;
    }
    return "error_unknown_value";
}

namespace {

bool of_type(const json::value& v, json_type type) {
    switch (type) {
        case json_type::text: return v.is_string();
        case json_type::integer: return v.is_int64() || v.is_uint64();
        case json_type::boolean: return v.is_bool();
        case json_type::list: return v.is_array();
        case json_type::object: return v.is_object();
        case json_type::any: return true;
    }
    return false;
}

std::string reported(const std::string& prefix, const json_field& f) {
    return prefix + std::string(f.reported_as.empty() ? f.name : f.reported_as);
}

std::string error_key(const json_field& f) { return std::string(f.error.empty() ? type_error(f.type) : f.error); }

}  // namespace

json_fields::json_fields(const json::object& o, std::span<const json_field> table, field_errors& errors,
                         std::string prefix, std::size_t longest_echoed)
    : table_(table.begin(), table.end()), values_(table_.size(), nullptr) {
    for (const auto& [key, value] : o) {
        std::size_t i = 0;
        while (i < table_.size() && table_[i].name != key) ++i;
        if (i == table_.size()) {
            bool echo = util::valid_utf8(key) && key.size() <= longest_echoed;
            errors[prefix + (echo ? std::string(key) : std::string("?"))] = {"error_unknown_field", {}};
            ok_ = false;
            continue;
        }
        const auto& f = table_[i];
        if (f.ignored) continue;
        if (f.read_only) {
            errors[reported(prefix, f)] = {"error_read_only", {}};
            ok_ = false;
            continue;
        }
        if ((f.nullable && value.is_null()) || of_type(value, f.type)) {
            values_[i] = &value;
        } else {
            errors[reported(prefix, f)] = {error_key(f), {}};
            ok_ = false;
        }
    }
    for (std::size_t i = 0; i < table_.size(); ++i) {
        const auto& f = table_[i];
        if (!f.required || o.contains(f.name)) continue;
        errors[reported(prefix, f)] = {f.error.empty() ? std::string("error_required") : std::string(f.error), {}};
        ok_ = false;
    }
}

std::size_t json_fields::index(std::string_view name) const {
    for (std::size_t i = 0; i < table_.size(); ++i)
        if (table_[i].name == name) return i;
    throw std::logic_error("json_fields: no field " + std::string(name) + " in the table");
}

const json::value* json_fields::get(std::string_view name) const { return values_[index(name)]; }

bool json_fields::is_null(std::string_view name) const {
    auto* v = get(name);
    return v && v->is_null();
}

std::optional<std::string> json_fields::text(std::string_view name) const {
    auto* v = get(name);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

std::optional<bool> json_fields::boolean(std::string_view name) const {
    auto* v = get(name);
    if (!v || !v->is_bool()) return std::nullopt;
    return v->get_bool();
}

std::optional<std::int64_t> json_fields::integer(std::string_view name) const {
    auto* v = get(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) {
        auto u = v->get_uint64();
        constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        return static_cast<std::int64_t>(u > max ? max : u);
    }
    return std::nullopt;
}

const json::array* json_fields::list(std::string_view name) const {
    auto* v = get(name);
    return v && v->is_array() ? &v->get_array() : nullptr;
}

const json::object* json_fields::object(std::string_view name) const {
    auto* v = get(name);
    return v && v->is_object() ? &v->get_object() : nullptr;
}

}  // namespace sabor::view
