// The HTTP/1.1 server on Beast/Asio, behind a plain interface: it reads requests, asks
// `body_limit` for the body limit before reading a body, hands plain requests to `handle`,
// and writes plain responses back. Streaming routes get their body piece by piece through
// a body_sink; responses with a file body are sent with sendfile(2).
#pragma once
#include "http/body_sink.hpp"
#include "http/message.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sabor::http {

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int threads = 2;
    std::size_t header_limit = 16 * 1024;
    std::chrono::seconds read_timeout{30};   // a whole request, header and body; for a streamed
                                             // body, each piece of it (a big upload takes long)
    std::chrono::seconds write_timeout{30};
    std::chrono::seconds idle_timeout{60};   // keep-alive between requests
    std::chrono::seconds header_timeout{10}; // a new connection's first request header
    // Open connections at most (also lowered to what the descriptor limit allows with a
    // reserve): when full, the longest-idle connection is closed to make room.
    std::size_t max_connections = 1000;
    // Handlers of routes marked to run on workers (hooks.on_workers): threads, and how many
    // requests may wait for one before the next is answered 503 with Retry-After.
    int worker_threads = 2;
    std::size_t worker_queue = 16;
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
    // Asked before reading the body of a request whose route takes one (body_limit > 0), with
    // req.params filled: nullopt when the route does not stream (the body is then read whole
    // into req.body), else the route's sink or an answer sent at once without reading the body.
    // Once the sink finished, `handle` runs with req.sink set.
    std::function<std::optional<sink_result>(request& head)> open_sink;
    // Applied to answers for streaming routes that do not come from `handle` (the factory's
    // early answer, a sink's refusal, 500 when a sink threw): headers, metrics, logging.
    std::function<void(request&, response&)> finish_response;
    // True for a request whose handler is slow by design (password hashing): `handle` then
    // runs on the worker pool, never on an I/O thread; nullptr: everything on the I/O threads.
    std::function<bool(std::string_view method, std::string_view path)> on_workers;
};

class server {
public:
    server(server_options opts, server_hooks hooks);
    ~server();
    // Serves until SIGINT or SIGTERM, then stops accepting, lets requests in flight
    // finish, and returns. Throws std::runtime_error when the address cannot be bound.
    void run();
    // From any thread: stops as SIGTERM does, and run() returns. Before run(), run() returns at once.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sabor::http
