#include "app/app.hpp"

#include "accounts/repository.hpp"
#include "app/routes.hpp"
#include "app/web.hpp"
#include "storage/file_watch.hpp"
#include "storage/migrations.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "view/dates.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <unistd.h>

namespace sabor::app {

page_cache::page_cache(const std::string& db_path, std::size_t max_bytes)
    : conn_(db_path, false), version_stmt_(conn_.prepare("PRAGMA data_version")), max_bytes_(max_bytes) {}

std::int64_t page_cache::check_locked() {
    version_stmt_.step();
    auto v = version_stmt_.get_int(0);
    version_stmt_.reset();  // hold no statement open between checks
    if (v != version_) {
        lru_.clear();
        index_.clear();
        stats_.entries = stats_.bytes = 0;
        version_ = v;
    }
    return v;
}

void page_cache::erase_locked(std::list<entry>::iterator it) {
    stats_.bytes -= it->bytes;
    --stats_.entries;
    index_.erase(it->key);
    lru_.erase(it);
}

page_cache::figures page_cache::stats() {
    std::lock_guard lock(mu_);
    return stats_;
}

std::int64_t page_cache::version() {
    std::lock_guard lock(mu_);
    return check_locked();
}

std::optional<http::response> page_cache::get(const std::string& key) {
    std::lock_guard lock(mu_);
    check_locked();
    auto it = index_.find(key);
    if (it == index_.end()) {
        ++stats_.misses;
        return std::nullopt;
    }
    if (it->second->until && util::now_seconds() >= it->second->until) {
        erase_locked(it->second);
        ++stats_.misses;
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    ++stats_.hits;
    return it->second->page;
}

void page_cache::put(const std::string& key, const http::response& r, std::int64_t version_at_start, std::int64_t until) {
    std::lock_guard lock(mu_);
    if (check_locked() != version_at_start) return;
    // What the entry holds, roughly: the page, its headers, the key twice (list and index).
    std::size_t bytes = r.body.size() + 2 * key.size() + sizeof(entry) + 64;
    for (const auto& [k, v] : r.headers) bytes += k.size() + v.size() + 64;
    if (auto old = index_.find(key); old != index_.end()) erase_locked(old->second);
    if (bytes > max_bytes_) return;  // also: page_cache_mb = 0 keeps nothing
    while (stats_.bytes + bytes > max_bytes_ && !lru_.empty()) {
        erase_locked(std::prev(lru_.end()));
        ++stats_.evictions;
    }
    lru_.push_front({key, r, until, bytes});
    index_[key] = lru_.begin();
    stats_.bytes += bytes;
    ++stats_.entries;
}

void prepare_database(const config& c) {
    std::error_code ec;
    std::filesystem::create_directories(c.storage.data_dir, ec);
    if (ec) throw std::runtime_error("cannot create the data folder " + c.storage.data_dir + ": " + ec.message());
    // SQLite would open a read-only file quietly and fail at the first write with a message
    // naming neither the file nor the cause: say both at start.
    for (const auto& path : {c.storage.data_dir, c.database_path()})
        if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0)
            throw std::runtime_error("cannot write to " + path + ": " + std::strerror(errno));
    storage::database db(c.database_path(), true);
    storage::migrate(db);
}

namespace {
storage::database& checked(storage::database& db) {
    if (storage::schema_version(db) < storage::latest_schema_version())
        throw std::runtime_error("the database " + db.path() + " is not migrated; run: sabor migrate");
    return db;
}
std::string load_secret(storage::pool& p) {
    auto db = p.acquire();
    checked(*db);
    return accounts::repository(*db).secret();
}
}  // namespace

application::application(config c)
    : cfg(std::move(c)),
      db(cfg.database_path()),
      pages(std::filesystem::path(cfg.server.web_dir) / "templates"),
      texts(std::filesystem::path(cfg.server.web_dir) / "i18n", cfg.i18n.default_locale),
      statics(std::filesystem::path(cfg.server.web_dir) / "static"),
      login_limiter(cfg.limits.logins_per_minute),
      registration_limiter(cfg.limits.registrations_per_minute),
      proxies(cfg.server.trusted_proxies),
      cache(cfg.database_path(), static_cast<std::size_t>(cfg.server.page_cache_mb) * 1024 * 1024),
      secret(load_secret(db)),
      mail({cfg.mail.templates_dir, cfg.mail.from, cfg.public_base(), texts.text(cfg.i18n.default_locale, "site_name")}) {
    if (!view::valid_timezone(cfg.i18n.timezone)) throw config_error("[i18n] timezone is not a known time zone: " + cfg.i18n.timezone);
    route(*this, "GET", "/healthz").allow(access::anyone).handle([](call&) {
        if (storage::database_file_lost()) return http::response::text(503, "database file lost");
        return http::response::text(200, "ok");
    });
    route(*this, "GET", "/metrics").allow(access::monitoring).handle([this](call&) {
        auto r = http::response::text(200, metrics.render());
        r.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        return r;
    });
    metrics.add_gauge("sabor_page_cache_entries", "Pages in the page cache.",
                      [this] { return static_cast<double>(cache.stats().entries); });
    metrics.add_gauge("sabor_page_cache_bytes", "Bytes held by the page cache.",
                      [this] { return static_cast<double>(cache.stats().bytes); });
    metrics.add_counter("sabor_page_cache_hits_total", "Pages answered from the page cache.",
                        [this] { return static_cast<double>(cache.stats().hits); });
    metrics.add_counter("sabor_page_cache_misses_total", "Cacheable pages rendered because they were not cached.",
                        [this] { return static_cast<double>(cache.stats().misses); });
    metrics.add_counter("sabor_page_cache_evictions_total", "Pages dropped to keep the cache within page_cache_mb.",
                        [this] { return static_cast<double>(cache.stats().evictions); });
    route(*this, "GET", "/static/{*path}").allow(access::anyone).handle([this](call& c) {
        return statics.serve(c.req, c.req.param("path"));
    });
}

namespace {

// Once the database file is gone, a write would be acknowledged and lost with it.
bool refuses_writes(const http::request& req) {
    return req.method != "GET" && req.method != "HEAD" && storage::database_file_lost();
}

// Answers that carry someone's personal data or an organiser's view: no browser or proxy keeps them.
bool personal(std::string_view path) {
    for (std::string_view prefix : {"/admin", "/api/", "/r/", "/card/", "/i/", "/v/", "/u/", "/account", "/login"})
        if (path.starts_with(prefix)) return true;
    return false;
}

void secure(application& a, const http::request& req, http::response& res) {
    apply_security_headers(a, res);
    if (res.header("Cache-Control").empty() && personal(req.path)) res.set_header("Cache-Control", "no-store");
}

}  // namespace

void application::resolve_client(http::request& req) const {
    if (!req.peer_addr.empty()) return;
    req.peer_addr = req.remote_addr;
    req.remote_addr = proxies.client_of(req.peer_addr, req);
}

bool application::metrics_allowed(const http::request& req) const {
    auto auth = req.header("authorization");
    if (!cfg.server.metrics_token.empty() && auth.rfind("Bearer ", 0) == 0 &&
        util::constant_time_equal(std::string(auth.substr(7)), cfg.server.metrics_token))
        return true;
    // Behind a proxy on this machine every visitor arrives from loopback: a request that
    // names whom it was forwarded for counts as that client, and from an untrusted peer
    // (no trusted_proxies set) as nobody local.
    if (proxies.contains(req.peer_addr)) return is_loopback(req.remote_addr) || proxies.contains(req.remote_addr);
    return is_loopback(req.peer_addr) && !forwarded(req);
}

http::response application::handle(http::request& req) {
    auto started = std::chrono::steady_clock::now();
    resolve_client(req);
    http::response res;
    std::string route_label = "unmatched";
    try {
        auto m = router.match(req);
        if (m.found && refuses_writes(req)) {
            route_label = m.found->pattern;
            res = error_response(*this, req, 503, "database_lost");
        } else if (m.found) {
            route_label = m.found->pattern;
            res = m.found->fn(req);
        } else if (m.method_mismatch) {
            res = error_response(*this, req, 405, "method_not_allowed");
            res.set_header("Allow", m.allow);
        } else {
            res = error_response(*this, req, 404, "not_found");
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << req.method << " " << req.target << ": " << e.what() << std::endl;
        res = error_response(*this, req, 500, "internal");
    }
    secure(*this, req, res);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.observe(route_label, res.status, seconds);
    if (cfg.server.access_log) access_log(req, res.status, res.content_length(), seconds);
    return res;
}

std::optional<http::sink_result> application::open_sink(http::request& req) {
    resolve_client(req);
    if (refuses_writes(req)) return http::sink_result(error_response(*this, req, 503, "database_lost"));
    try {
        return router.open_sink(req);
    } catch (const std::exception& e) {
        std::cerr << "error: " << req.method << " " << req.target << ": " << e.what() << std::endl;
        return http::sink_result(error_response(*this, req, 500, "internal"));
    }
}

void application::finish_streamed(http::request& req, http::response& res) {
    resolve_client(req);
    secure(*this, req, res);
    auto m = router.match(req);
    metrics.observe(m.found ? m.found->pattern : "unmatched", res.status, 0);
    if (cfg.server.access_log) access_log(req, res.status, res.content_length(), 0);
}

http::response application::rejected(const http::request& req, int status) {
    std::optional<http::response> page;
    if (status == 413)
        for (const auto& f : too_large_pages)
            if ((page = f(req))) break;
    auto res = page ? std::move(*page)
                    : error_response(*this, req, status, status == 413 ? "too_large" : status == 503 ? "busy" : "bad_request");
    secure(*this, req, res);
    metrics.observe("rejected", status, 0);
    if (cfg.server.access_log) {
        http::request head;  // the log names the client, as for every other request
        head.method = req.method;
        head.target = req.target;
        head.headers = req.headers;
        head.remote_addr = proxies.client_of(req.remote_addr, req);
        access_log(head, status, res.body.size(), 0);
    }
    return res;
}

std::string loggable_target(std::string_view target) {
    // Personal links are secrets: whoever reads the log must not be able to use them.
    std::string out(target.substr(0, target.find('?')));
    for (std::string_view prefix : {"/r/", "/v/", "/i/", "/u/", "/card/"})
        if (out.starts_with(prefix)) {
            auto end = out.find('/', prefix.size());
            out.replace(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size(), "***");
        }
    auto q = target.find('?');
    if (q == std::string_view::npos) return out;
    // Query values are kept but for the access keys of registrants' downloads.
    std::string_view query = target.substr(q + 1);
    out += '?';
    bool first = true;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (!first) out += '&';
        first = false;
        auto eq = pair.find('=');
        auto name = pair.substr(0, eq);
        out += (name == "key" || name == "invitation") && eq != std::string_view::npos ? std::string(name) + "=***" : std::string(pair);
    }
    return out;
}

void application::access_log(const http::request& req, int status, std::size_t bytes, double seconds) {
    // One line per request: address, method, target, status, bytes, milliseconds.
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.2f", seconds * 1000);
    std::string target = loggable_target(req.target);
    if (target.size() > 200) target = target.substr(0, 200) + "...";
    for (auto& ch : target)
        if (static_cast<unsigned char>(ch) < 0x20) ch = '?';  // no forged log lines
    std::string line = view::format_iso_utc(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count()) +
                       " " + (req.remote_addr.empty() ? "-" : req.remote_addr) + " " +
                       (req.method.empty() ? "-" : req.method) + " " + (target.empty() ? "-" : target) + " " +
                       std::to_string(status) + " " + std::to_string(bytes) + " " + ms + "ms\n";
    std::lock_guard lock(log_mu_);
    std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace sabor::app
