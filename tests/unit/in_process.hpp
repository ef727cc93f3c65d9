// The whole application in the test's process, over a fresh data folder: requests go
// through the route table (access, input, handler) without a socket.
#pragma once

#include "fixtures.hpp"

#include "accounts/repository.hpp"
#include "app/app.hpp"
#include "app/config.hpp"
#include "cli/compose.hpp"
#include "http/message.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace sabor::test {

struct in_process {
    std::filesystem::path dir;
    std::unique_ptr<app::application> app;

    explicit in_process(const std::string& name) {
        dir = make_temp_dir(name);
        app::config c;
        c.storage.data_dir = dir.string();
        c.server.web_dir = (std::filesystem::path(SABOR_SOURCE_DIR) / "web").string();
        c.mail.templates_dir = (std::filesystem::path(SABOR_SOURCE_DIR) / "mail-templates").string();
        c.limits.registrations_per_minute = 0;
        c.server.access_log = false;
        app::prepare_database(c);
        app = std::make_unique<app::application>(c);
        cli::add_routes(*app);
    }
    ~in_process() {
        app.reset();
        std::filesystem::remove_all(dir);
    }
    in_process(const in_process&) = delete;
    in_process& operator=(const in_process&) = delete;

    // A new organiser (or admin) and an API token for them.
    std::string organiser(const std::string& email, const std::string& role = "organiser") {
        auto conn = app->db.acquire();
        accounts::repository repo(*conn);
        auto id = repo.create_user(email, "Организатор", role, "x");
        return repo.create_api_token(id);
    }

    http::response request(const std::string& method, const std::string& target, const std::string& body = {},
                           const std::string& token = {}, const std::string& content_type = "application/json") {
        http::request req;
        req.method = method;
        req.target = target;
        http::parse_target(target, req.path, req.query);
        req.remote_addr = "127.0.0.1";
        if (!body.empty()) req.headers.emplace_back("content-type", content_type);
        if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
        req.body = body;
        return app->handle(req);
    }

    boost::json::value json(const std::string& method, const std::string& target, const boost::json::value& body,
                            const std::string& token, int* status = nullptr) {
        auto r = request(method, target, body.is_null() ? std::string{} : boost::json::serialize(body), token);
        if (status) *status = r.status;
        return r.body.empty() ? boost::json::value{} : boost::json::parse(r.body);
    }
};

}  // namespace sabor::test
