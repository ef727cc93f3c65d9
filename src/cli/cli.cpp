#include "cli/cli.hpp"

#include "app/routes.hpp"
#include "cli/compose.hpp"
#include "accounts/repository.hpp"
#include "accounts/security.hpp"
#include "app/app.hpp"
#include "app/config.hpp"
#include "app/periodic.hpp"
#include "app/web.hpp"
#include "cli/demo.hpp"
#include "http/server.hpp"
#include "mail/composer.hpp"
#include "mail/outbox.hpp"
#include "mail/smtp.hpp"
#include "mail/worker.hpp"
#include "storage/file_watch.hpp"
#include "storage/migrations.hpp"
#include "util/clock.hpp"
#include "util/crypto.hpp"
#include "util/utf8.hpp"
#include "view/i18n.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sabor::cli {
namespace {

using namespace app;

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* general_help =
    "sabor — event and conference management server\n"
    "\n"
    "Usage: sabor COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  serve [--listen HOST:PORT]          run the server until SIGINT/SIGTERM\n"
    "  migrate                             create or upgrade the database schema\n"
    "  user add --email E --name N [--role admin|organiser]\n"
    "                                      create an account; the password is read from stdin\n"
    "  user list                           every account: id, e-mail, role, state, name\n"
    "  user disable --email E              no more sign-in; drops its sessions and API tokens\n"
    "  user enable --email E               allow sign-in again\n"
    "  user password --email E             set a new password (read from stdin); drops its sessions\n"
    "  token create --email E [--days N]   print a new API token for that account (valid N days)\n"
    "  token list --email E                the account's tokens: id, created, expires, last used\n"
    "  token revoke ID                     the token stops working at once\n"
    "  demo                                load the demo events once\n"
    "  backup FILE                         write a consistent copy of the database\n"
    "  mail test --to E [--count N]        queue N test messages (one transaction)\n"
    "  routes                              every route: method, path, access, input, body limit\n"
    "\n"
    "Options for every command:\n"
    "  --config FILE     configuration file (default: config/sabor.toml)\n"
    "  --data-dir DIR    data folder (overrides [storage] data_dir)\n"
    "  --help            help for a command\n"
    "  --version         print the version\n";

const std::map<std::string, std::string> command_help{
    {"routes", "Usage: sabor routes [--config FILE] [--data-dir DIR]\n"
               "Prints every route, one per line: METHOD PATH ACCESS INPUT BODY_LIMIT.\n"
               "ACCESS is who may call it: anyone, personal_link (the token in the path), event_reader\n"
               "(anyone while the event is public, its managers while a draft), organiser, event_manager,\n"
               "admin, monitoring. INPUT is none, raw (the body as sent), form (with its CSRF token), json,\n"
               "multipart or stream.\n"
               "The database is created or upgraded first.\n"},
    {"serve", "Usage: sabor serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR]\n"
              "Runs the server until SIGINT or SIGTERM, then finishes requests in flight and exits 0.\n"
              "The database is created or upgraded first.\n"},
    {"migrate", "Usage: sabor migrate [--config FILE] [--data-dir DIR]\nCreates or upgrades the database schema.\n"},
    {"user", "Usage: sabor user add --email E --name N [--role admin|organiser] [--config FILE] [--data-dir DIR]\n"
             "       sabor user list\n"
             "       sabor user disable --email E | user enable --email E\n"
             "       sabor user password --email E\n"
             "add creates an account; the password (at least 8 characters) is read from stdin, one line.\n"
             "list prints every account, one a line: id, e-mail, role, active or disabled, name (tab-separated).\n"
             "disable stops sign-in and drops the account's sessions and API tokens; enable allows sign-in again.\n"
             "password reads a new password from stdin (as add) and ends every session of the account.\n"},
    {"token", "Usage: sabor token create --email E [--days N] [--config FILE] [--data-dir DIR]\n"
              "       sabor token list --email E\n"
              "       sabor token revoke ID\n"
              "create prints a new API token for the account, one line; only its hash is stored. With --days N\n"
              "it stops working after N days (1 to 3650), without it when revoked.\n"
              "list prints the account's tokens, one a line: id, created, expires (never), last used (to the hour;\n"
              "never), tab-separated. revoke deletes the token with that id: it stops working at once.\n"},
    {"demo", "Usage: sabor demo [--config FILE] [--data-dir DIR]\n"
             "Loads the demo organiser and events once; a second run changes nothing.\n"
             "The new account's e-mail and password are printed and kept in DATA_DIR/demo-credentials.txt.\n"},
    {"mail", "Usage: sabor mail test --to E [--count N] [--config FILE] [--data-dir DIR]\n"
             "Queues N (default 1) test messages to E in one transaction; the running server sends them.\n"
             "Prints how long queueing took.\n"},
    {"backup", "Usage: sabor backup FILE [--config FILE] [--data-dir DIR]\n"
               "Writes a consistent copy of the database to FILE, also while the server runs.\n"},
};

struct args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;
    bool help = false;
    bool version = false;
};

args parse_args(int argc, char** argv) {
    static const std::vector<std::string> with_value{"--config", "--data-dir", "--listen", "--email", "--name", "--role",
                                                    "--to", "--count", "--days"};
    args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "--help" || s == "-h") {
            a.help = true;
        } else if (s == "--version") {
            a.version = true;
        } else if (s.rfind("--", 0) == 0) {
            auto eq = s.find('=');
            std::string name = s.substr(0, eq);
            if (std::find(with_value.begin(), with_value.end(), name) == with_value.end())
                throw usage_error("unknown option " + name + " (see sabor --help)");
            if (eq != std::string::npos) a.flags[name] = s.substr(eq + 1);
            else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) a.flags[name] = argv[++i];
            else throw usage_error("option " + name + " needs a value");
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

config load(const args& a) {
    std::optional<std::string> file;
    if (auto it = a.flags.find("--config"); it != a.flags.end()) file = it->second;
    auto c = load_config(file);
    if (auto it = a.flags.find("--data-dir"); it != a.flags.end()) c.storage.data_dir = it->second;
    if (auto it = a.flags.find("--listen"); it != a.flags.end()) c.server.listen = it->second;
    validate(c);
    storage::set_synchronous_full(c.storage.synchronous == "full");
    return c;
}

std::string need(const args& a, const char* flag) {
    auto it = a.flags.find(flag);
    if (it == a.flags.end() || it->second.empty()) throw usage_error(std::string("missing ") + flag);
    return it->second;
}

// Opens an existing, migrated database for the commands that work on data.
std::unique_ptr<storage::database> open_db(const config& c) {
    if (!std::filesystem::exists(c.database_path()))
        throw std::runtime_error("no database at " + c.database_path() + "; run: sabor migrate");
    auto db = std::make_unique<storage::database>(c.database_path(), false);
    if (storage::schema_version(*db) < storage::latest_schema_version())
        throw std::runtime_error("the database " + c.database_path() + " is not migrated; run: sabor migrate");
    return db;
}

// A data folder with materials or mail but no database lost its database: `serve` must not
// start an empty one next to them (`migrate` still may, when that is what is wanted).
void refuse_lost_database(const config& c) {
    if (std::filesystem::exists(c.database_path())) return;
    for (const char* sub : {"materials", "mail"}) {
        auto dir = std::filesystem::path(c.storage.data_dir) / sub;
        std::error_code ec;
        if (std::filesystem::is_directory(dir, ec) && !std::filesystem::is_empty(dir, ec))
            throw std::runtime_error("no database at " + c.database_path() + " although " + dir.string() +
                                     " holds files: restore the database from a backup, or run sabor migrate to "
                                     "start an empty one");
    }
}

int cmd_serve(const args& a) {
    // A file-size limit (ulimit -f) must fail the one write with EFBIG, not kill the server.
    std::signal(SIGXFSZ, SIG_IGN);
    auto c = load(a);
    refuse_lost_database(c);
    prepare_database(c);
    storage::file_watch watch(c.database_path());
    application app(c);
    add_routes(app);
    app.db.checkpoint_in_background();
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // access log lines appear as they happen
    http::server_options opts;
    opts.host = c.listen_host();
    opts.port = c.listen_port();
    opts.threads = static_cast<int>(c.server.threads);
    opts.max_connections = static_cast<std::size_t>(c.server.max_connections);
    opts.header_timeout = std::chrono::seconds(c.server.header_timeout_seconds);
    // Password hashing takes a core while it runs: half of them at most, the rest stay for I/O.
    opts.worker_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
    opts.worker_queue = 32;
    http::server_hooks hooks;
    hooks.handle = [&app](http::request& r) { return app.handle(r); };
    hooks.body_limit = [&app](std::string_view m, std::string_view p) { return app.body_limit(m, p); };
    hooks.on_rejected = [&app](const http::request& r, int status) { return app.rejected(r, status); };
    hooks.open_sink = [&app](http::request& r) { return app.open_sink(r); };
    hooks.finish_response = [&app](http::request& r, http::response& res) { app.finish_streamed(r, res); };
    hooks.on_workers = [&app](std::string_view m, std::string_view p) { return app.on_workers(m, p); };
    hooks.on_listening = [&opts](std::uint16_t port) {
        std::printf("sabor %s listening on http://%s:%u\n", SABOR_VERSION, opts.host.c_str(), port);
        std::fflush(stdout);
    };
    mail::worker_options mo;
    mo.database_path = c.database_path();
    mo.compose = [&app](const mail::stored_message& m) { return app.mail.compose(m); };
    mo.smtp = {c.mail.smtp_url, c.mail.username, c.mail.password, c.mail.require_tls, static_cast<long>(c.mail.timeout_seconds)};
    mo.eml_dir = (std::filesystem::path(c.storage.data_dir) / "mail").string();
    mo.rate_per_minute = static_cast<long>(c.mail.rate);
    mo.retry_first_seconds = static_cast<long>(c.mail.retry_first_seconds);
    mo.retry_max_hours = static_cast<long>(c.mail.retry_max_hours);
    mail::worker mailer(mo);
    // Every commit that queued mail wakes the worker (mail::outbox registers it on the transaction).
    mail::outbox::set_waker([&mailer] { mailer.wake(); });
    mailer.start();
    // Reminders, thank-yous and invitation campaigns: what fell due is queued (plain
    // functions over the database and a time); committing it wakes the mail worker.
    app::periodic schedules("scheduled mail", [&app] { scheduled_round(app); }, std::chrono::seconds(2));
    schedules.start();
    // Under test only (SABOR_TEST_HOOKS=1): one round of the scheduler and then of the mail
    // worker on demand, so a test waits for a round instead of sleeping through one.
    if (const char* on = std::getenv("SABOR_TEST_HOOKS"); on && std::string_view(on) == "1")
        route(app, "POST", "/_test/round").allow(access::monitoring).on_workers().handle([&schedules, &mailer](call&) {
            schedules.run_once();
            mailer.flush();
            return http::response::text(200, "ok\n");
        });

    http::server srv(opts, hooks);
    srv.run();
    schedules.stop();
    mail::outbox::set_waker(nullptr);  // nothing left to queue mail; the worker goes next
    mailer.stop();
    std::printf("sabor stopped\n");
    return 0;
}

int cmd_routes(const args& a) {
    auto c = load(a);
    prepare_database(c);
    application app(c);
    add_routes(app);
    std::fputs(route_table(app).c_str(), stdout);
    return 0;
}

int cmd_migrate(const args& a) {
    auto c = load(a);
    prepare_database(c);
    storage::database db(c.database_path(), false);
    std::printf("database %s is at schema version %d\n", c.database_path().c_str(), storage::schema_version(db));
    return 0;
}

// A password from stdin, one line, at least 8 characters.
std::string read_password() {
    std::string password;
    if (!std::getline(std::cin, password)) throw usage_error("no password on stdin");
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (!accounts::acceptable_password(password))
        throw usage_error("the password must be valid UTF-8 text of at least 8 characters and at most 1024 bytes");
    return password;
}

accounts::user need_user(accounts::repository& repo, const args& a) {
    auto email = need(a, "--email");
    auto user = repo.find_by_email(email);
    if (!user) throw std::runtime_error("no account with the e-mail " + accounts::normalise_email(email));
    return *user;
}

int cmd_user_add(const args& a) {
    auto c = load(a);
    auto email = accounts::normalise_email(need(a, "--email"));
    auto name = need(a, "--name");
    std::string role = a.flags.count("--role") ? a.flags.at("--role") : "organiser";
    if (!accounts::plausible_email(email)) throw usage_error("\"" + email + "\" is not an e-mail address");
    if (!util::valid_utf8(name) || util::has_control_chars(name, false) || util::utf8_length(name) > 200)
        throw usage_error("the name must be valid UTF-8 text of at most 200 characters");
    if (role != "admin" && role != "organiser") throw usage_error("--role must be admin or organiser");
    auto password = read_password();
    auto db = open_db(c);
    accounts::repository repo(*db);
    try {
        repo.create_user(email, name, role, util::hash_password(password));
    } catch (const storage::constraint_error&) {
        throw std::runtime_error("an account with the e-mail " + email + " already exists");
    }
    std::printf("created %s %s\n", role.c_str(), email.c_str());
    return 0;
}

int cmd_user(const args& a) {
    const std::string usage = "usage: sabor user add|list|disable|enable|password (see sabor user --help)";
    if (a.positional.size() < 2) throw usage_error(usage);
    const auto& what = a.positional[1];
    if (what == "add") return cmd_user_add(a);
    if (what != "list" && what != "disable" && what != "enable" && what != "password") throw usage_error(usage);
    auto c = load(a);
    if (what == "list") {
        auto db = open_db(c);
        for (const auto& r : accounts::repository(*db).list_users())
            std::printf("%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(r.u.id), r.u.email.c_str(), r.u.role.c_str(),
                        r.u.disabled ? "disabled" : "active", r.u.name.c_str());
        return 0;
    }
    need(a, "--email");
    std::string password = what == "password" ? read_password() : std::string{};
    auto db = open_db(c);
    storage::transaction tx(*db);
    accounts::repository repo(*db);
    auto user = need_user(repo, a);
    if (what == "disable") {
        auto [sessions, tokens] = repo.disable_user(user.id);
        tx.commit();
        std::printf("disabled %s (%d session(s) and %d API token(s) dropped)\n", user.email.c_str(), sessions, tokens);
    } else if (what == "enable") {
        repo.enable_user(user.id);
        tx.commit();
        std::printf("enabled %s\n", user.email.c_str());
    } else {
        int sessions = repo.set_password(user.id, util::hash_password(password));
        tx.commit();
        std::printf("new password for %s (%d session(s) ended)\n", user.email.c_str(), sessions);
    }
    return 0;
}

int cmd_token(const args& a) {
    const std::string usage = "usage: sabor token create --email E [--days N] | token list --email E | token revoke ID";
    if (a.positional.size() < 2) throw usage_error(usage);
    const auto& what = a.positional[1];
    if (what == "revoke") {
        if (a.positional.size() != 3) throw usage_error("usage: sabor token revoke ID");
        auto id = to_id(a.positional[2]);
        if (!id) throw usage_error("the token id must be a positive number, not \"" + a.positional[2] + "\"");
        auto c = load(a);
        auto db = open_db(c);
        if (!accounts::repository(*db).revoke_api_token(*id)) throw std::runtime_error("no API token with the id " + a.positional[2]);
        std::printf("revoked API token %lld\n", static_cast<long long>(*id));
        return 0;
    }
    if ((what != "create" && what != "list") || a.positional.size() != 2) throw usage_error(usage);
    int days = 0;
    if (auto it = a.flags.find("--days"); it != a.flags.end()) {
        if (what != "create") throw usage_error("--days belongs to token create");
        auto n = to_id(it->second);
        if (!n || *n > 3650) throw usage_error("--days must be a number from 1 to 3650");
        days = static_cast<int>(*n);
    }
    auto c = load(a);
    auto db = open_db(c);
    accounts::repository repo(*db);
    auto user = need_user(repo, a);
    if (what == "list") {
        for (const auto& t : repo.api_tokens(user.id))
            std::printf("%lld\t%s\t%s\t%s\n", static_cast<long long>(t.id), t.created_at.c_str(),
                        t.expires_at.empty() ? "never" : t.expires_at.c_str(),
                        t.last_used_at.empty() ? "never" : t.last_used_at.c_str());
        return 0;
    }
    if (user.disabled) throw std::runtime_error("the account " + user.email + " is disabled");
    std::printf("%s\n", repo.create_api_token(user.id, days).c_str());
    return 0;
}

int cmd_demo(const args& a) {
    auto c = load(a);
    prepare_database(c);
    storage::database db(c.database_path(), false);
    auto acc = load_demo(db, c.i18n.timezone);
    if (!acc) {
        std::printf("the demo events are already loaded\n");
        return 0;
    }
    std::printf("loaded the demo events\n");
    if (!acc->password.empty()) {
        auto file = std::filesystem::path(c.storage.data_dir) / "demo-credentials.txt";
        {
            std::ofstream out(file);
            out << "e-mail:   " << acc->email << "\npassword: " << acc->password << "\n";
        }
        std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        std::printf("demo organiser: %s\npassword:       %s\n", acc->email.c_str(), acc->password.c_str());
    }
    return 0;
}

int cmd_mail(const args& a) {
    if (a.positional.size() < 2 || a.positional[1] != "test") throw usage_error("usage: sabor mail test --to E [--count N]");
    auto c = load(a);
    auto to = accounts::normalise_email(need(a, "--to"));
    if (!mail::safe_address(to)) throw usage_error("\"" + to + "\" is not an e-mail address");
    long count = 1;
    if (a.flags.count("--count")) {
        try {
            count = std::stol(a.flags.at("--count"));
        } catch (const std::exception&) {
            count = 0;
        }
        if (count < 1 || count > 1'000'000) throw usage_error("--count must be a number from 1 to 1000000");
    }
    auto db = open_db(c);
    view::i18n texts(std::filesystem::path(c.server.web_dir) / "i18n", c.i18n.default_locale);
    mail::composer composer({c.mail.templates_dir, c.mail.from, c.public_base(), texts.text(c.i18n.default_locale, "site_name")});
    mail::outgoing o;
    o.kind = "test";
    o.locale = c.i18n.default_locale;
    o.to_address = to;
    o.data = boost::json::object{{"sent_by", "sabor mail test"}};
    auto started = std::chrono::steady_clock::now();
    storage::transaction tx(*db);
    mail::outbox box(*db);
    for (long i = 0; i < count; ++i) composer.enqueue(box, o);
    tx.commit();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("queued %ld message(s) to %s in %.3f s\n", count, to.c_str(), seconds);
    return 0;
}

int cmd_backup(const args& a) {
    if (a.positional.size() < 2) throw usage_error("usage: sabor backup FILE");
    auto c = load(a);
    std::filesystem::path target = a.positional[1];
    if (std::filesystem::exists(target)) throw std::runtime_error(target.string() + " exists already; choose a new file");
    auto db = open_db(c);
    // Write beside the target, then rename: a failed backup never leaves a half-written file.
    auto tmp = target;
    tmp += ".part";
    std::filesystem::remove(tmp);
    try {
        db->backup_to(tmp.string());
        std::filesystem::rename(tmp, target);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
    std::printf("backup written to %s\n", target.string().c_str());
    return 0;
}

}  // namespace

int run(int argc, char** argv) {
    try {
        util::crypto_init();
        mail::smtp_global_init();
        auto a = parse_args(argc, argv);
        if (a.version) {
            std::printf("sabor %s\n", SABOR_VERSION);
            return 0;
        }
        if (a.positional.empty()) {
            std::fputs(general_help, a.help ? stdout : stderr);
            return a.help ? 0 : 2;
        }
        const auto& cmd = a.positional[0];
        // How many words each command takes ("user add", "backup FILE"): more is a mistake.
        static const std::map<std::string, std::size_t> words{{"serve", 1}, {"migrate", 1}, {"user", 2}, {"token", 3},
                                                             {"demo", 1}, {"backup", 2}, {"mail", 2}, {"routes", 1}};
        if (auto w = words.find(cmd); w != words.end() && a.positional.size() > w->second)
            throw usage_error("unexpected argument \"" + a.positional[w->second] + "\" (see sabor " + cmd + " --help)");
        if (a.help) {
            auto it = command_help.find(cmd);
            std::fputs(it != command_help.end() ? it->second.c_str() : general_help, stdout);
            return 0;
        }
        if (cmd == "serve") return cmd_serve(a);
        if (cmd == "migrate") return cmd_migrate(a);
        if (cmd == "routes") return cmd_routes(a);
        if (cmd == "user") return cmd_user(a);
        if (cmd == "token") return cmd_token(a);
        if (cmd == "demo") return cmd_demo(a);
        if (cmd == "backup") return cmd_backup(a);
        if (cmd == "mail") return cmd_mail(a);
        throw usage_error("unknown command \"" + cmd + "\" (see sabor --help)");
    } catch (const usage_error& e) {
        std::fprintf(stderr, "sabor: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sabor: %s\n", e.what());
        return 1;
    }
}

}  // namespace sabor::cli
