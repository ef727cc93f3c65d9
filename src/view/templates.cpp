#include "view/templates.hpp"

#include <kainjow/mustache.hpp>

#include <cstdlib>
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

// Resolves names like kainjow's own context, and refuses the two ways a section can show a
// value that is not its own: an optional key its object lacks, read from an outer context
// (as when {{#position}} once showed a job title as a waiting-list place), and a page-wide
// name shadowed by a key of the same name in a section's object. Only the page-wide names
// below may be read through a section. Tests turn the check on (SABOR_TEST_STRICT_TEMPLATES).
class checking_context : public mus::basic_context<std::string> {
public:
    checking_context(const mus::data* root, std::string_view page) : page_(page) { push(root); }
    void push(const mus::data* d) override { items_.insert(items_.begin(), d); }
    void pop() override { items_.erase(items_.begin()); }

    const mus::data* get(const std::string& name) const override {
        if (name == ".") return items_.front();
        auto dot = name.find('.');
        std::string first = name.substr(0, dot);
        bool inside_object = false;  // an object section was passed on the way out
        for (std::size_t i = 0; i < items_.size(); ++i) {
            const auto* item = items_[i];
            const mus::data* var = item->get(first);
            if (var && dot != std::string::npos) {
                std::size_t at = dot + 1;
                while (var && at <= name.size()) {
                    auto next = name.find('.', at);
                    var = var->get(name.substr(at, next == std::string::npos ? std::string::npos : next - at));
                    at = next == std::string::npos ? name.size() + 1 : next + 1;
                }
            }
            if (var) {
                bool wide = page_wide(first);
                if (inside_object && !wide) fail(name, "reads a value of an outer context");
                if (wide && i + 1 < items_.size() && items_.back()->get(first)) fail(name, "is shadowed by a section's own key");
                return var;
            }
            if (item->is_object()) inside_object = true;
        }
        return nullptr;
    }
    const mus::data* get_partial(const std::string&) const override { return nullptr; }

private:
    [[noreturn]] void fail(const std::string& name, const char* what) const {
        throw template_error("template " + std::string(page_) + ": {{" + name + "}} inside a section " + what);
    }
    // Data of the whole page that sections may read; no section's object may have these keys.
    static bool page_wide(const std::string& n) {
        static const std::set<std::string, std::less<>> names{
            "t",    "lang",   "lang_bg", "lang_en", "csrf_token", "base",  "user",      "page_is",        "back",
            "event", "values", "show",   "req",     "errors",     "types", "questions", "is_new",         "materials_base",
            "programme", "materials", "q", "searched", "rows", "speakers_page", "p", "contact", "sig_columns", "day_label", "col_count"};
        return names.count(n) > 0;
    }
    std::vector<const mus::data*> items_;
    std::string_view page_;
};


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
    auto d = to_data(data);
    if (!strict_checks()) return it->second->tmpl.render(d);
    checking_context ctx(&d, it->first);
    return it->second->tmpl.render(ctx);
}

bool strict_checks() {
    static const bool on = [] {
        const char* v = std::getenv("SABOR_TEST_STRICT_TEMPLATES");
        return v && std::string_view(v) == "1";
    }();
    return on;
}

}  // namespace sabor::view
