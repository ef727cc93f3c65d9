#include "view/i18n.hpp"
#include "view/templates.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>

namespace sabor::view {
namespace {

boost::json::object load_catalog(const std::filesystem::path& file) {
    toml::table tbl;
    try {
        tbl = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw i18n_error("message catalog " + file.string() + " (line " + std::to_string(e.source().begin.line) +
                         "): " + std::string(e.description()));
    }
    boost::json::object out;
    for (const auto& [k, v] : tbl) {
        auto s = v.value<std::string>();
        if (!s) throw i18n_error("message catalog " + file.string() + ": " + std::string(k.str()) + " must be a string");
        out[std::string(k.str())] = *s;
    }
    return out;
}

// {lang}.toml, then every {lang}/*.toml (one file a domain: programme, contacts, ...) in
// name order; a key defined twice is an error, so no file silently overrides another.
boost::json::object load_locale(const std::filesystem::path& dir, const std::string& lang) {
    auto out = load_catalog(dir / (lang + ".toml"));
    std::vector<std::filesystem::path> parts;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir / lang, ec))
        if (entry.path().extension() == ".toml") parts.push_back(entry.path());
    std::sort(parts.begin(), parts.end());
    for (const auto& file : parts)
        for (auto& [k, v] : load_catalog(file)) {
            if (out.contains(k)) throw i18n_error("message catalog " + file.string() + ": \"" + std::string(k) + "\" is defined twice");
            out[k] = v;
        }
    return out;
}

}  // namespace

i18n::i18n(const std::filesystem::path& dir, std::string default_locale) : default_(std::move(default_locale)) {
    for (const char* lang : locales) catalogs_[lang] = load_locale(dir, lang);
    const auto& bg = catalogs_["bg"];
    const auto& en = catalogs_["en"];
    for (const auto& [k, v] : bg)
        if (!en.contains(k)) throw i18n_error("message catalog en.toml lacks \"" + std::string(k) + "\"");
    for (const auto& [k, v] : en)
        if (!bg.contains(k)) throw i18n_error("message catalog bg.toml lacks \"" + std::string(k) + "\"");
    if (!supported(default_)) throw i18n_error("unsupported default locale " + default_);
}

const boost::json::object& i18n::catalog(std::string_view lang) const {
    auto it = catalogs_.find(lang);
    if (it == catalogs_.end()) it = catalogs_.find(default_);
    return it->second;
}

std::string i18n::text(std::string_view lang, std::string_view key,
                       const std::vector<std::pair<std::string, std::string>>& args) const {
    const auto& cat = catalog(lang);
    auto it = cat.find(key);
    if (it == cat.end()) {
        if (strict_checks()) throw i18n_error("no message \"" + std::string(key) + "\" in the catalogs");
        return std::string(key);
    }
    std::string s(it->value().get_string());
    for (const auto& [name, value] : args) {
        std::string ph = "{" + name + "}";
        for (auto pos = s.find(ph); pos != std::string::npos; pos = s.find(ph, pos + value.size()))
            s.replace(pos, ph.size(), value);
    }
    return s;
}

std::string i18n::from_accept_language(std::string_view header) const {
    std::string best;
    double best_q = -1;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        auto semi = item.find(';');
        auto tag = item.substr(0, semi);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        double q = 1.0;
        if (semi != std::string_view::npos) {
            auto params = item.substr(semi + 1);
            auto qpos = params.find("q=");
            if (qpos != std::string_view::npos) {
                auto num = params.substr(qpos + 2);
                // from_chars for double: q is 0..1 with up to three decimals
                double v = 0;
                auto r = std::from_chars(num.data(), num.data() + num.size(), v);
                q = r.ec == std::errc{} ? v : 0;
            }
        }
        std::string primary(tag.substr(0, tag.find('-')));
        std::transform(primary.begin(), primary.end(), primary.begin(), [](unsigned char c) { return std::tolower(c); });
        if (supported(primary) && q > best_q) {
            best = primary;
            best_q = q;
        }
    }
    return best.empty() ? default_ : best;
}

}  // namespace sabor::view
