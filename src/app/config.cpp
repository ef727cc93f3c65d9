#include "app/config.hpp"

#include "app/client_address.hpp"
#include "util/file_type.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <variant>

#include <unistd.h>  // environ

namespace sabor::app {
namespace {

using target = std::variant<std::string*, std::int64_t*, bool*, std::vector<std::string>*>;
struct binding {
    const char* section;
    const char* key;
    target value;
};

std::vector<binding> bindings(config& c) {
    return {
        {"server", "listen", &c.server.listen},
        {"server", "public_url", &c.server.public_url},
        {"server", "threads", &c.server.threads},
        {"server", "max_connections", &c.server.max_connections},
        {"server", "header_timeout_seconds", &c.server.header_timeout_seconds},
        {"server", "page_cache_mb", &c.server.page_cache_mb},
        {"server", "form_max_bytes", &c.server.form_max_bytes},
        {"server", "json_max_bytes", &c.server.json_max_bytes},
        {"server", "access_log", &c.server.access_log},
        {"server", "web_dir", &c.server.web_dir},
        {"server", "trusted_proxies", &c.server.trusted_proxies},
        {"server", "metrics_token", &c.server.metrics_token},
        {"storage", "data_dir", &c.storage.data_dir},
        {"storage", "database", &c.storage.database},
        {"storage", "synchronous", &c.storage.synchronous},
        {"mail", "smtp_url", &c.mail.smtp_url},
        {"mail", "username", &c.mail.username},
        {"mail", "password", &c.mail.password},
        {"mail", "from", &c.mail.from},
        {"mail", "rate", &c.mail.rate},
        {"mail", "templates_dir", &c.mail.templates_dir},
        {"mail", "require_tls", &c.mail.require_tls},
        {"mail", "timeout_seconds", &c.mail.timeout_seconds},
        {"mail", "retry_first_seconds", &c.mail.retry_first_seconds},
        {"mail", "retry_max_hours", &c.mail.retry_max_hours},
        {"uploads", "max_bytes", &c.uploads.max_bytes},
        {"uploads", "allowed_types", &c.uploads.allowed_types},
        {"i18n", "default_locale", &c.i18n.default_locale},
        {"i18n", "timezone", &c.i18n.timezone},
        {"limits", "logins_per_minute", &c.limits.logins_per_minute},
        {"limits", "registrations_per_minute", &c.limits.registrations_per_minute},
    };
}

std::string where(const binding& b) { return std::string("[") + b.section + "] " + b.key; }

void set_from_toml(const binding& b, const toml::node& n) {
    std::visit(
        [&](auto* p) {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, std::string>) {
                auto v = n.value<std::string>();
                if (!v) throw config_error(where(b) + " must be a string");
                *p = *v;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                // Only an integer node: toml++'s float-to-integer conversion is undefined for a
                // float out of range (found by tests/fuzz/fuzz_config).
                auto v = n.is_integer() ? n.value<std::int64_t>() : std::nullopt;
                if (!v) throw config_error(where(b) + " must be an integer");
                *p = *v;
            } else if constexpr (std::is_same_v<T, bool>) {
                auto v = n.value<bool>();
                if (!v) throw config_error(where(b) + " must be true or false");
                *p = *v;
            } else {
                auto* arr = n.as_array();
                if (!arr) throw config_error(where(b) + " must be a list of strings");
                p->clear();
                for (const auto& e : *arr) {
                    auto s = e.value<std::string>();
                    if (!s) throw config_error(where(b) + " must be a list of strings");
                    p->push_back(*s);
                }
            }
        },
        b.value);
}

void set_from_env(const binding& b, const std::string& name, const std::string& raw) {
    std::visit(
        [&](auto* p) {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, std::string>) {
                *p = raw;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                std::int64_t v = 0;
                auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
                if (ec != std::errc{} || end != raw.data() + raw.size())
                    throw config_error(name + " must be an integer, not \"" + raw + "\"");
                *p = v;
            } else if constexpr (std::is_same_v<T, bool>) {
                if (raw == "1" || raw == "true") *p = true;
                else if (raw == "0" || raw == "false") *p = false;
                else throw config_error(name + " must be true or false, not \"" + raw + "\"");
            } else {
                p->clear();
                std::size_t start = 0;
                while (start <= raw.size()) {
                    auto comma = raw.find(',', start);
                    if (comma == std::string::npos) comma = raw.size();
                    if (comma > start) p->push_back(raw.substr(start, comma - start));
                    start = comma + 1;
                }
            }
        },
        b.value);
}

std::string env_name(const binding& b) {
    std::string n = "SABOR_";
    for (const char* s : {b.section, "_", b.key})
        for (const char* c = s; *c; ++c) n += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    return n;
}

// A misspelt SABOR_ variable must stop the start as a misspelt file key does. The names
// the test and bench scripts use for themselves are not settings.
void refuse_unknown_env(const std::vector<binding>& all) {
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        auto name = entry.substr(0, entry.find('='));
        if (!name.starts_with("SABOR_") || name == "SABOR_BIN" || name == "SABOR_SOURCE_DIR" ||
            name.starts_with("SABOR_TEST_") || name.starts_with("SABOR_BENCH_"))
            continue;
        if (std::none_of(all.begin(), all.end(), [&](const binding& b) { return env_name(b) == name; }))
            throw config_error("unknown setting in the environment: " + std::string(name));
    }
}

}  // namespace

config load_config(const std::optional<std::string>& path) {
    config c;
    auto all = bindings(c);
    std::string file = path.value_or("config/sabor.toml");
    if (path || std::filesystem::exists(file)) {
        toml::table tbl;
        try {
            tbl = toml::parse_file(file);
        } catch (const toml::parse_error& e) {
            const auto& src = e.source();
            throw config_error("cannot read " + file + " (line " + std::to_string(src.begin.line) + "): " +
                               std::string(e.description()));
        }
        for (const auto& [section, node] : tbl) {
            auto* sub = node.as_table();
            if (!sub) throw config_error(file + ": [" + std::string(section.str()) + "] must be a section");
            for (const auto& [key, value] : *sub) {
                // Named copies: clang 14 (the fuzz build) cannot capture structured bindings.
                std::string_view section_name = section.str(), key_name = key.str();
                auto it = std::find_if(all.begin(), all.end(), [&](const binding& b) {
                    return section_name == b.section && key_name == b.key;
                });
                if (it == all.end())
                    throw config_error(file + ": unknown setting [" + std::string(section.str()) + "] " +
                                       std::string(key.str()));
                set_from_toml(*it, value);
            }
        }
    }
    for (const auto& b : all) {
        auto name = env_name(b);
        if (const char* v = std::getenv(name.c_str())) set_from_env(b, name, v);
    }
    refuse_unknown_env(all);
    return c;
}

void validate(const config& c) {
    if (c.server.threads < 1 || c.server.threads > 256) throw config_error("[server] threads must be between 1 and 256");
    if (c.server.max_connections < 1) throw config_error("[server] max_connections must be at least 1");
    if (c.server.header_timeout_seconds < 1) throw config_error("[server] header_timeout_seconds must be at least 1");
    if (c.server.page_cache_mb < 0) throw config_error("[server] page_cache_mb must be 0 (no cache) or more");
    if (c.server.form_max_bytes < 1024) throw config_error("[server] form_max_bytes must be at least 1024");
    if (c.server.json_max_bytes < 1024) throw config_error("[server] json_max_bytes must be at least 1024");
    if (c.uploads.max_bytes < 1024) throw config_error("[uploads] max_bytes must be at least 1024");
    if (c.storage.synchronous != "normal" && c.storage.synchronous != "full")
        throw config_error("[storage] synchronous must be \"normal\" or \"full\"");
    if (c.mail.rate < 0) throw config_error("[mail] rate must be 0 (no limit) or more");
    if (c.limits.logins_per_minute < 0) throw config_error("[limits] logins_per_minute must be 0 (no limit) or more");
    if (c.limits.registrations_per_minute < 0)
        throw config_error("[limits] registrations_per_minute must be 0 (no limit) or more");
    for (const auto& t : c.uploads.allowed_types)
        if (!util::known_type_name(t))
            throw config_error("[uploads] allowed_types names an unknown type \"" + t +
                               "\" (known: pdf, ppt, pptx, odp, doc, docx, xls, xlsx, zip, png, jpeg)");
    if (c.mail.timeout_seconds < 1) throw config_error("[mail] timeout_seconds must be at least 1");
    if (c.mail.retry_first_seconds < 1) throw config_error("[mail] retry_first_seconds must be at least 1");
    if (c.mail.retry_max_hours < 1) throw config_error("[mail] retry_max_hours must be at least 1");
    if (!c.mail.smtp_url.empty() && c.mail.smtp_url.rfind("smtp://", 0) != 0 && c.mail.smtp_url.rfind("smtps://", 0) != 0)
        throw config_error("[mail] smtp_url must start with smtp:// or smtps://");
    if (c.i18n.default_locale != "bg" && c.i18n.default_locale != "en")
        throw config_error("[i18n] default_locale must be \"bg\" or \"en\"");
    (void)c.listen_port();  // throws when malformed
    try {
        trusted_proxies check(c.server.trusted_proxies);
    } catch (const std::invalid_argument& e) {
        throw config_error(std::string("[server] trusted_proxies: ") + e.what());
    }
    if (c.server.public_url.rfind("http://", 0) != 0 && c.server.public_url.rfind("https://", 0) != 0)
        throw config_error("[server] public_url must start with http:// or https://");
    // It goes into mail headers and Location: a line break there would add headers.
    if (std::any_of(c.server.public_url.begin(), c.server.public_url.end(),
                    [](unsigned char ch) { return ch <= 0x20 || ch == 0x7f; }))
        throw config_error("[server] public_url must not contain spaces, line breaks or other control characters");
}

std::string config::database_path() const {
    std::filesystem::path db(storage.database);
    if (db.is_absolute()) return db.string();
    return (std::filesystem::path(storage.data_dir) / db).string();
}

std::string config::listen_host() const {
    auto colon = server.listen.rfind(':');
    if (colon == std::string::npos) return server.listen;
    std::string host = server.listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return host;
}

std::uint16_t config::listen_port() const {
    auto colon = server.listen.rfind(':');
    if (colon == std::string::npos) throw config_error("[server] listen must be HOST:PORT, not \"" + server.listen + "\"");
    auto p = server.listen.substr(colon + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc{} || end != p.data() + p.size() || v > 65535)
        throw config_error("[server] listen must be HOST:PORT, not \"" + server.listen + "\"");
    return static_cast<std::uint16_t>(v);
}

std::string config::public_base() const {
    std::string s = server.public_url;
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace sabor::app
