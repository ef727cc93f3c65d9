// The HTTP/1.1 server on Beast/Asio, behind a plain interface: it reads requests, asks
// `limits` for the body limit before reading a body, hands plain requests to `handle`,
// and writes plain responses back.
#pragma once
#include "http/message.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sabor::http {

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int threads = 2;
    std::size_t header_limit = 16 * 1024;
    std::chrono::seconds read_timeout{30};   // a whole request, header and body
    std::chrono::seconds write_timeout{30};
    std::chrono::seconds idle_timeout{60};   // keep-alive between requests
    std::chrono::seconds drain_timeout{10};  // on stop, the longest we wait for requests in flight
};

struct server_hooks {
    std::function<response(request&)> handle;
    std::function<std::size_t(std::string_view method, std::string_view path)> body_limit;
    // Called once the listener is bound, with the actual port (useful with port 0).
    std::function<void(std::uint16_t port)> on_listening;
    // Answers a request that never reached `handle` (400, 413): the application words it in
    // the visitor's language and logs it. Without it, a plain-text reason is sent.
    std::function<response(const request&, int status)> on_rejected;
};

class server {
public:
    server(server_options opts, server_hooks hooks);
    ~server();
    // Serves until SIGINT or SIGTERM, then stops accepting, lets requests in flight
    // finish, and returns. Throws std::runtime_error when the address cannot be bound.
    void run();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sabor::http
