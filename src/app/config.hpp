// Configuration: built-in defaults < config/sabor.toml < SABOR_<SECTION>_<KEY> < flags.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sabor::app {

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct config {
    struct {
        std::string listen = "127.0.0.1:8080";
        std::string public_url = "http://127.0.0.1:8080";
        std::int64_t threads = 2;
        std::int64_t max_connections = 1000;     // lowered at start to what the descriptor limit allows
        std::int64_t header_timeout_seconds = 10;  // a new connection's first request header
        std::int64_t page_cache_mb = 64;         // rendered public pages kept for anonymous visitors; 0: none
        std::int64_t form_max_bytes = 64 * 1024;
        std::int64_t json_max_bytes = 256 * 1024;
        bool access_log = true;
        std::string web_dir = "web";
        // Reverse proxies whose X-Forwarded-For / Forwarded name the client (addresses or CIDRs).
        std::vector<std::string> trusted_proxies;
        std::string metrics_token;  // also lets a scraper elsewhere read /metrics (Bearer)
    } server;
    struct {
        std::string data_dir = "var";
        std::string database = "sabor.db";
        // "normal": a commit survives a crash of sabor (WAL, fsync at checkpoints);
        // "full": also a power cut or kernel crash (fsync at every commit), at about half the
        // write throughput. See docs/decisions.md.
        std::string synchronous = "normal";
    } storage;
    struct {
        std::string smtp_url;
        std::string username;
        std::string password;
        std::string from = "sabor <noreply@sabor.localhost>";
        std::int64_t rate = 0;
        std::string templates_dir = "mail-templates";
        bool require_tls = false;           // refuse to send unless STARTTLS (or smtps://) protects it
        std::int64_t timeout_seconds = 30;  // connect and per-message SMTP timeout
        std::int64_t retry_first_seconds = 10;
        std::int64_t retry_max_hours = 24;
    } mail;
    struct {
        std::int64_t max_bytes = 50 * 1024 * 1024;
        std::vector<std::string> allowed_types{"pdf", "ppt", "pptx", "odp", "doc", "docx", "xls", "xlsx", "zip", "png", "jpeg"};
    } uploads;
    struct {
        std::string default_locale = "bg";
        std::string timezone = "Europe/Sofia";
    } i18n;
    struct {
        std::int64_t logins_per_minute = 10;
        std::int64_t registrations_per_minute = 20;
    } limits;

    std::string database_path() const;  // storage.database inside storage.data_dir unless absolute
    std::string listen_host() const;
    std::uint16_t listen_port() const;
    bool secure_cookies() const { return server.public_url.rfind("https://", 0) == 0; }
    std::string public_base() const;  // public_url without a trailing slash
};

// Reads the file (when given or when the default exists), then the environment.
// Throws config_error with one clear sentence.
config load_config(const std::optional<std::string>& path);
// Checks values that must make sense together; throws config_error.
void validate(const config& c);

}  // namespace sabor::app
