// The only translation unit that speaks Beast. Modelled on Beast's async server example:
// each connection is a session on its own strand; every pending operation holds
// shared_from_this(), and every read and write has a deadline.
#include "http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sabor::http {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class session;

struct shared_state {
    server_options opts;
    server_hooks hooks;
    std::atomic<bool> stopping{false};
    std::mutex mu;
    std::set<session*> sessions;
};

bool is_disconnect(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
           ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::bad_descriptor;
}

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, std::shared_ptr<shared_state> state)
        : stream_(std::move(socket)), state_(std::move(state)) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
        std::lock_guard lock(state_->mu);
        state_->sessions.insert(this);
    }
    ~session() {
        std::lock_guard lock(state_->mu);
        state_->sessions.erase(this);
    }

    void start() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
    }

    // On shutdown: a connection waiting for its next request is closed now; one whose
    // request is in flight finishes it and closes after writing the response.
    void post_stop() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (!self->busy_) self->close();
        });
    }

private:
    void read_header() {
        if (state_->stopping) return close();
        header_parser_.emplace();
        header_parser_->header_limit(static_cast<std::uint32_t>(state_->opts.header_limit));
        // The route's limit is applied once the header is known; the parser must not judge first.
        header_parser_->body_limit(boost::none);
        stream_.expires_after(state_->opts.idle_timeout);
        bhttp::async_read_header(stream_, buffer_, *header_parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec && is_disconnect(ec)) return close();
        busy_ = true;
        if (ec == bhttp::error::body_limit) return reject(413, "Payload Too Large\n");
        if (ec) return reject(400, "Bad Request\n");
        auto& h = header_parser_->get();
        req_ = request{};
        req_.method = std::string(h.method_string());
        req_.target = std::string(h.target());
        req_.remote_addr = remote_;
        if (!parse_target(req_.target, req_.path, req_.query)) return reject(400, "Bad Request\n");
        for (const auto& f : h) {
            std::string name(f.name_string());
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            req_.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        version_ = h.version();
        keep_alive_ = h.keep_alive();

        // The body limit is known from the route before any body byte is read.
        std::size_t limit = state_->hooks.body_limit(req_.method, req_.path);
        auto length = header_parser_->content_length();
        bool has_body = (length && *length > 0) || header_parser_->chunked();
        if ((length && *length > limit) || (header_parser_->chunked() && limit == 0))
            return reject(413, "Payload Too Large\n");

        body_parser_.emplace(std::move(*header_parser_));
        body_parser_->body_limit(limit);
        header_parser_.reset();
        stream_.expires_after(state_->opts.read_timeout);

        auto expect = body_parser_->get()[bhttp::field::expect];
        if (has_body && beast::iequals(expect, "100-continue")) {
            static const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(stream_, net::buffer(cont), [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) return self->close();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        bhttp::async_read(stream_, buffer_, *body_parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec == bhttp::error::body_limit) return reject(413, "Payload Too Large\n");
        if (ec && is_disconnect(ec)) return close();
        if (ec) return reject(400, "Bad Request\n");
        req_.body = std::move(body_parser_->get().body());
        body_parser_.reset();

        response res;
        try {
            res = state_->hooks.handle(req_);
        } catch (...) {
            // The application catches its own errors; this is the last line of defence.
            res = response::text(500, "Internal Server Error\n");
        }
        write(std::move(res), keep_alive_ && !state_->stopping);
    }

    // Answers a request that cannot be handled and closes: what is left of it is unread.
    void reject(int status, std::string body) {
        header_parser_.reset();
        body_parser_.reset();
        response r = response::text(status, std::move(body));
        if (state_->hooks.on_rejected) {
            try {
                r = state_->hooks.on_rejected(req_, status);
            } catch (...) {
                // Keep the plain answer.
            }
        }
        write(std::move(r), false);
    }

    void write(response&& r, bool keep_alive) {
        auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status),
                                                                         version_ ? version_ : 11);
        for (auto& [k, v] : r.headers) msg->insert(k, v);
        msg->body() = std::move(r.body);
        msg->keep_alive(keep_alive);
        msg->prepare_payload();
        if (req_.method == "HEAD") msg->body().clear();  // Content-Length stays that of GET
        stream_.expires_after(state_->opts.write_timeout);
        bhttp::async_write(stream_, *msg, [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
            self->on_write(ec, msg->keep_alive());
        });
    }

    void on_write(beast::error_code ec, bool keep_alive) {
        busy_ = false;
        if (ec || !keep_alive || state_->stopping) return close();
        read_header();
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::shared_ptr<shared_state> state_;
    std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
    std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
    request req_;
    std::string remote_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    std::atomic<bool> busy_{false};
};

}  // namespace

// One io_context per thread, each run by exactly one thread: a connection lives on one
// of them for its whole life, so its handlers never hop threads and need no strand or
// cross-thread wake-ups. The first context also holds the acceptor, signals and drain timer.
struct server::impl {
    std::shared_ptr<shared_state> state = std::make_shared<shared_state>();
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
    std::size_t next = 0;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<net::signal_set> signals;
    std::unique_ptr<net::steady_timer> drain_timer;
    std::chrono::steady_clock::time_point drain_deadline;

    net::io_context& main() { return *contexts.front(); }

    void accept() {
        auto& target = *contexts[next];
        next = (next + 1) % contexts.size();
        acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
            if (state->stopping || !acceptor->is_open()) return;
            if (!ec) std::make_shared<session>(std::move(socket), state)->start();
            accept();
        });
    }

    void stop() {
        state->stopping = true;
        beast::error_code ec;
        acceptor->close(ec);
        {
            std::lock_guard lock(state->mu);
            for (session* s : state->sessions) {
                std::weak_ptr<session> w = s->weak_from_this();
                if (auto sp = w.lock()) sp->post_stop();
            }
        }
        drain_deadline = std::chrono::steady_clock::now() + state->opts.drain_timeout;
        wait_drained();
    }

    // Polls until the last session is gone (or the deadline passes), then stops every loop.
    void wait_drained() {
        drain_timer->expires_after(std::chrono::milliseconds(20));
        drain_timer->async_wait([this](beast::error_code) {
            bool empty;
            {
                std::lock_guard lock(state->mu);
                empty = state->sessions.empty();
            }
            if (empty || std::chrono::steady_clock::now() > drain_deadline) {
                for (auto& g : guards) g.reset();
                for (auto& c : contexts) c->stop();
            } else {
                wait_drained();
            }
        });
    }
};

server::server(server_options opts, server_hooks hooks) : impl_(std::make_unique<impl>()) {
    impl_->state->opts = std::move(opts);
    impl_->state->hooks = std::move(hooks);
}

server::~server() = default;

void server::run() {
    auto& s = *impl_;
    int n = std::max(1, s.state->opts.threads);
    for (int i = 0; i < n; ++i) {
        s.contexts.push_back(std::make_unique<net::io_context>(1));  // 1: run by one thread only
        s.guards.push_back(net::make_work_guard(*s.contexts.back()));
    }
    s.acceptor = std::make_unique<tcp::acceptor>(s.main());
    s.signals = std::make_unique<net::signal_set>(s.main(), SIGINT, SIGTERM);
    s.drain_timer = std::make_unique<net::steady_timer>(s.main());
    beast::error_code ec;
    auto address = net::ip::make_address(s.state->opts.host, ec);
    if (ec) throw std::runtime_error("invalid listen address: " + s.state->opts.host);
    tcp::endpoint ep{address, s.state->opts.port};
    s.acceptor->open(ep.protocol(), ec);
    if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) s.acceptor->bind(ep, ec);
    if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + s.state->opts.host + ":" + std::to_string(s.state->opts.port) +
                                 ": " + ec.message());
    if (s.state->hooks.on_listening) s.state->hooks.on_listening(s.acceptor->local_endpoint().port());

    s.signals->async_wait([&s](beast::error_code ec, int) {
        if (!ec) s.stop();
    });
    s.accept();

    std::vector<std::thread> pool;
    for (int i = 1; i < n; ++i) pool.emplace_back([&s, i] { s.contexts[static_cast<std::size_t>(i)]->run(); });
    s.main().run();
    for (auto& t : pool) t.join();
}

}  // namespace sabor::http
