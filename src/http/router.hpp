// Routes requests by method and path pattern ("/events/{slug}", "/static/{*path}").
// Each route carries its own body limit, which the server checks from the header alone.
// A streaming route also carries a sink factory: its body goes to a sink as it arrives.
#pragma once
#include "http/body_sink.hpp"
#include "http/message.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sabor::http {

using handler = std::function<response(request&)>;

// Where a route's handler runs: on the I/O thread that read the request, or, for one that is
// slow by design (password hashing), on the server's small worker pool.
enum class runs { on_io_thread, on_workers };

struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    handler fn;
    std::size_t body_limit = 0;
    sink_factory make_sink;  // set for streaming routes
    runs where = runs::on_io_thread;
    // Who may call it and what it takes, as declared (app/routes.hpp); for `sabor routes`.
    std::string access;
    std::string input;
};

struct match_result {
    const route* found = nullptr;
    bool method_mismatch = false;  // the path exists under another method: 405
    std::string allow;             // methods for the Allow header
};

class router {
public:
    void add(std::string method, std::string pattern, handler fn, std::size_t body_limit = 0,
             runs where = runs::on_io_thread);
    void get(std::string pattern, handler fn) { add("GET", std::move(pattern), std::move(fn)); }
    void post(std::string pattern, handler fn, std::size_t body_limit, runs where = runs::on_io_thread) {
        add("POST", std::move(pattern), std::move(fn), body_limit, where);
    }
    // A route whose body is streamed into the sink `make_sink` opens; `fn` runs once the
    // sink finished, with req.sink set. body_limit must be > 0.
    void add_streaming(std::string method, std::string pattern, sink_factory make_sink, handler fn,
                       std::size_t body_limit);

    // Labels the route added last with its declared access and input.
    void describe_last(std::string access, std::string input);
    const std::vector<route>& all() const { return routes_; }

    // Fills req.params on success. HEAD is answered by GET routes.
    match_result match(request& req) const;
    // The body limit for a method and path, known before the body is read (0 = no body).
    std::size_t body_limit(std::string_view method, std::string_view path) const;
    // True when the route's handler runs on the worker pool (http::server_hooks::on_workers).
    bool on_workers(std::string_view method, std::string_view path) const;
    // For a streaming route: fills req.params and calls its factory. nullopt for any other
    // request (ordinary route, 404, 405), which then goes the ordinary way.
    std::optional<sink_result> open_sink(request& req) const;

private:
    std::vector<route> routes_;
};

}  // namespace sabor::http
