#include "app/config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace sabor::app;

namespace {
// Files live in one folder per test run, removed at exit.
std::string write_temp(const std::string& text) {
    static struct dir_t {
        std::string path;
        dir_t() {
            char tmpl[] = "/tmp/sabor-config-XXXXXX";
            path = mkdtemp(tmpl);
        }
        ~dir_t() { std::filesystem::remove_all(path); }
    } dir;
    static int n = 0;
    auto file = dir.path + "/c" + std::to_string(++n) + ".toml";
    std::ofstream(file) << text;
    return file;
}
}  // namespace

TEST_CASE("the documented config file loads and validates") {
    auto c = load_config(std::string(SABOR_SOURCE_DIR) + "/config/sabor.toml");
    validate(c);
    CHECK(c.server.listen == "127.0.0.1:8080");
    CHECK(c.listen_port() == 8080);
    CHECK(c.i18n.default_locale == "bg");
    CHECK(c.database_path() == "var/sabor.db");
}

TEST_CASE("environment overrides the file; errors name the setting") {
    auto file = write_temp("[server]\nlisten = \"127.0.0.1:9000\"\nthreads = 4\n[mail]\nrate = 30\n");
    setenv("SABOR_SERVER_THREADS", "3", 1);
    setenv("SABOR_MAIL_SMTP_URL", "smtp://127.0.0.1:2525", 1);
    auto c = load_config(file);
    unsetenv("SABOR_SERVER_THREADS");
    unsetenv("SABOR_MAIL_SMTP_URL");
    CHECK(c.server.listen == "127.0.0.1:9000");
    CHECK(c.server.threads == 3);
    CHECK(c.mail.rate == 30);
    CHECK(c.mail.smtp_url == "smtp://127.0.0.1:2525");

    setenv("SABOR_SERVER_THREADS", "many", 1);
    CHECK_THROWS_WITH(load_config(file), Catch::Contains("SABOR_SERVER_THREADS must be an integer"));
    unsetenv("SABOR_SERVER_THREADS");

    CHECK_THROWS_WITH(load_config(write_temp("[server]\nlisten = 8080\n")), Catch::Contains("[server] listen must be a string"));
    CHECK_THROWS_WITH(load_config(write_temp("[server]\nlistne = \"x\"\n")), Catch::Contains("unknown setting [server] listne"));
    CHECK_THROWS_WITH(load_config(write_temp("[server\n")), Catch::Contains("line 1"));
    auto bad = load_config(write_temp("[server]\nlisten = \"localhost\"\n"));
    CHECK_THROWS_AS(validate(bad), config_error);
    auto full = load_config(write_temp("[storage]\nsynchronous = \"full\"\n"));
    CHECK_NOTHROW(validate(full));
    CHECK(full.storage.synchronous == "full");
    CHECK_THROWS_WITH(validate(load_config(write_temp("[storage]\nsynchronous = \"off\"\n"))),
                      Catch::Contains("[storage] synchronous"));
}
