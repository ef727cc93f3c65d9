#include "view/templates.hpp"

#include <kainjow/mustache.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace sabor::view {
namespace mus = kainjow::mustache;

struct templates::compiled {
    explicit compiled(const std::string& text) : tmpl(text) {}
    // A valid template only reads itself while rendering, so threads may share it.
    mutable mus::mustache tmpl;
};

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw template_error("cannot read template " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Replaces {{> name}} with the partial's text, recursively; a missing or cyclic partial is an error.
std::string expand_partials(const std::string& text, const std::filesystem::path& partials, const std::string& owner,
                            std::set<std::string>& stack) {
    static const std::regex tag(R"(\{\{>\s*([A-Za-z0-9_\-]+)\s*\}\})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), tag);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        out.append(text, last, static_cast<std::size_t>(m.position()) - last);
        std::string name = m[1];
        auto file = partials / (name + ".mustache");
        if (!std::filesystem::exists(file))
            throw template_error("template " + owner + ": partial \"" + name + "\" does not exist");
        if (stack.count(name)) throw template_error("template " + owner + ": partial \"" + name + "\" includes itself");
        stack.insert(name);
        out += expand_partials(read_file(file), partials, "partials/" + name, stack);
        stack.erase(name);
        last = static_cast<std::size_t>(m.position() + m.length());
    }
    out.append(text, last);
    return out;
}

mus::data to_data(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::object: {
            mus::data d{mus::data::type::object};
            for (const auto& [k, e] : v.get_object()) d.set(std::string(k), to_data(e));
            return d;
        }
        case boost::json::kind::array: {
            mus::data d{mus::data::type::list};
            for (const auto& e : v.get_array()) d.push_back(to_data(e));
            return d;
        }
        // An empty string is false, so {{#venue}}...{{/venue}} hides what is not filled in
        // (kainjow treats "" as true); {{venue}} still renders nothing.
        case boost::json::kind::string:
            return v.get_string().empty() ? mus::data{false} : mus::data{std::string(v.get_string())};
        case boost::json::kind::bool_: return mus::data{v.get_bool()};
        case boost::json::kind::int64: return mus::data{std::to_string(v.get_int64())};
        case boost::json::kind::uint64: return mus::data{std::to_string(v.get_uint64())};
        case boost::json::kind::double_: return mus::data{std::to_string(v.get_double())};
        case boost::json::kind::null: return mus::data{false};
    }
    return mus::data{false};
}

}  // namespace

templates::templates(const std::filesystem::path& dir, std::function<bool(std::string_view)> plain) {
    if (!std::filesystem::is_directory(dir)) throw template_error("template folder " + dir.string() + " does not exist");
    auto partials = dir / "partials";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".mustache") continue;
        auto rel = entry.path().lexically_relative(dir).generic_string();
        std::string name = rel.substr(0, rel.size() - std::string(".mustache").size());
        std::set<std::string> stack;
        auto text = expand_partials(read_file(entry.path()), partials, name, stack);
        auto c = std::make_unique<compiled>(text);
        if (!c->tmpl.is_valid()) throw template_error("template " + name + ": " + c->tmpl.error_message());
        if (plain && plain(name)) c->tmpl.set_custom_escape([](const std::string& s) { return s; });
        pages_.emplace(name, std::move(c));
    }
}

templates::~templates() = default;

bool templates::has(std::string_view name) const { return pages_.find(name) != pages_.end(); }

std::string templates::render(std::string_view name, const boost::json::value& data) const {
    auto it = pages_.find(name);
    if (it == pages_.end()) throw template_error("no template named " + std::string(name));
    return it->second->tmpl.render(to_data(data));
}

}  // namespace sabor::view
