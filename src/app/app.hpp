// The application object: shared state every handler sees, built once at start-up.
#pragma once
#include "accounts/security.hpp"
#include "app/client_address.hpp"
#include "app/config.hpp"
#include "app/event_access.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "mail/composer.hpp"
#include "storage/database.hpp"
#include "view/i18n.hpp"
#include "view/templates.hpp"

#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace sabor::app {

// Rendered public pages for anonymous visitors. Valid while the database is unchanged:
// PRAGMA data_version on a connection of its own moves with every commit made by any
// other connection, ours or another process's (the CLI), so nothing needs invalidating by hand.
// Bounded in bytes: when full, the least recently used pages go first.
class page_cache {
public:
    page_cache(const std::string& db_path, std::size_t max_bytes);
    std::int64_t version();
    std::optional<http::response> get(const std::string& key);
    // Stores only if nothing was committed since `version_at_start` (the render saw current data);
    // `until` (seconds, 0: none): the page changes then by time alone, and is rendered again.
    void put(const std::string& key, const http::response& r, std::int64_t version_at_start, std::int64_t until = 0);

    struct figures {
        std::size_t entries = 0, bytes = 0;
        unsigned long long hits = 0, misses = 0, evictions = 0;
    };
    figures stats();

private:
    struct entry {
        std::string key;
        http::response page;
        std::int64_t until;
        std::size_t bytes;
    };
    std::int64_t check_locked();
    void erase_locked(std::list<entry>::iterator it);
    std::mutex mu_;
    storage::database conn_;
    storage::statement version_stmt_;  // prepared once: this check runs on every cached hit
    std::int64_t version_ = -1;
    std::size_t max_bytes_;
    std::list<entry> lru_;  // most recently used first
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
    figures stats_;
};

class application {
public:
    explicit application(config c);  // the database must exist and be migrated

    http::response handle(http::request& req);  // routing plus what every response needs
    std::size_t body_limit(std::string_view method, std::string_view path) const {
        return router.body_limit(method, path);
    }
    bool on_workers(std::string_view method, std::string_view path) const { return router.on_workers(method, path); }
    // The answer to a request the server refused before routing (400, 413), logged.
    http::response rejected(const http::request& req, int status);
    // For a route that streams its body: its sink, or an answer sent before the body is read;
    // nullopt for other routes (http::server_hooks::open_sink).
    std::optional<http::sink_result> open_sink(http::request& req);
    // Security headers, metrics and the access log for a streaming route's answer given
    // outside handle() (the factory's early answer, a sink's refusal).
    void finish_streamed(http::request& req, http::response& res);
    // /metrics: the metrics token, or a visitor on this machine (see client_address.hpp).
    bool metrics_allowed(const http::request& req) const;

    config cfg;
    storage::pool db;
    view::templates pages;
    view::i18n texts;
    http::static_files statics;
    http::metrics metrics;
    http::router router;
    accounts::rate_limiter login_limiter;
    accounts::rate_limiter registration_limiter;
    accounts::login_guard account_guard;  // failed logins per account, from any address
    trusted_proxies proxies;              // [server] trusted_proxies
    page_cache cache;
    std::string secret;
    mail::composer mail;
    // Set by the events domain: finds the event a route is about and says who manages it.
    event_rules events_rules;
    // Pages that answer a body over the route's limit themselves (an organiser's upload form:
    // back to the page with the reason, not a bare error page); each gives nullopt for a
    // request that is not its own.
    std::vector<std::function<std::optional<http::response>(const http::request&)>> too_large_pages;

private:
    // Sets req.remote_addr to the client's address (see client_address.hpp), once.
    void resolve_client(http::request& req) const;
    void access_log(const http::request& req, int status, std::size_t bytes, double seconds);
    std::mutex log_mu_;
};

// The request target as the access log shows it: the tokens of personal links (/r/, /v/,
// /i/, /u/) and registrants' download keys (?key=) replaced by ***.
std::string loggable_target(std::string_view target);

// Opens the database file (creating the data folder), migrates it, and returns.
void prepare_database(const config& c);

}  // namespace sabor::app
