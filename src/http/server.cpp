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
#include <cerrno>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/sendfile.h>

namespace sabor::http {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class session;

// A few threads for handlers that must not hold an I/O thread (password hashing), with a
// bounded queue: when it is full the request is refused at once instead of waiting.
class worker_pool {
public:
    worker_pool(int threads, std::size_t max_queue) : max_queue_(max_queue) {
        for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { loop(); });
    }
    ~worker_pool() { stop(); }

    bool try_submit(std::function<void()> job) {
        {
            std::lock_guard lock(mu_);
            if (stopped_ || queue_.size() >= max_queue_) return false;
            queue_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }

    // Jobs still waiting are dropped (their connections close); running ones finish.
    void stop() {
        {
            std::lock_guard lock(mu_);
            if (stopped_) return;
            stopped_ = true;
            queue_.clear();
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }

private:
    void loop() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
                if (stopped_) return;
                job = std::move(queue_.front());
                queue_.pop_front();
            }
            job();
        }
    }

    std::size_t max_queue_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopped_ = false;
    std::vector<std::thread> threads_;
};

struct shared_state {
    server_options opts;
    server_hooks hooks;
    std::atomic<bool> stopping{false};
    std::mutex mu;
    std::set<session*> sessions;
    std::size_t evicting = 0;      // sessions told to close to make room, not yet gone (under mu)
    std::size_t max_connections = 0;  // opts.max_connections, lowered to fit the descriptor limit
    std::unique_ptr<worker_pool> workers;
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
        abort_sink();  // the loop stopped with an upload in flight
        std::lock_guard lock(state_->mu);
        state_->sessions.erase(this);
        if (evicted_) --state_->evicting;
    }

    // How good a choice for closing to make room (under state->mu): waiting for a request
    // only; one that never sent a header before one that did, then the longest waiting.
    // nullopt: busy or already chosen.
    std::optional<std::pair<bool, std::int64_t>> eviction_rank() const {
        auto since = idle_since_.load();
        if (evicted_ || since == 0) return std::nullopt;
        return std::pair{served_.load(), since};
    }

    // Under state->mu: close this idle connection soon, on its own thread.
    void evict() {
        evicted_ = true;
        ++state_->evicting;
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_since_ != 0) return self->close();
            // A request came meanwhile: it stays, and counts again.
            std::lock_guard lock(self->state_->mu);
            self->evicted_ = false;
            --self->state_->evicting;
        });
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
    // Streamed bodies and lingering closes go through this buffer, allocated once per connection.
    static constexpr std::size_t piece_size = 128 * 1024;

    void read_header() {
        if (state_->stopping) return close();
        if (piece_) {  // an upload came before: give its buffers back while the connection idles
            piece_.reset();
            buffer_.shrink_to_fit();
        }
        header_parser_.emplace();
        header_parser_->header_limit(static_cast<std::uint32_t>(state_->opts.header_limit));
        // The route's limit is applied once the header is known; the parser must not judge first.
        header_parser_->body_limit(boost::none);
        idle_since_ = std::max<std::int64_t>(1, std::chrono::steady_clock::now().time_since_epoch().count());
        // A connection that has not sent one request yet gets little time: it holds a
        // descriptor and proves nothing.
        stream_.expires_after(served_ ? state_->opts.idle_timeout : state_->opts.header_timeout);
        bhttp::async_read_header(stream_, buffer_, *header_parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        body_unread_ = false;
        idle_since_ = 0;
        served_ = true;
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
        // A transfer coding other than chunked last leaves the body's length unknown: read as
        // no body, it would run as the next request (RFC 9112 6.3). Refuse and close.
        if (h.count(bhttp::field::transfer_encoding) > 0 && !header_parser_->chunked()) {
            body_unread_ = true;
            return reject(400, "Bad Request\n");
        }

        // The body limit is known from the route before any body byte is read.
        std::size_t limit = state_->hooks.body_limit(req_.method, req_.path);
        auto length = header_parser_->content_length();
        bool has_body = (length && *length > 0) || header_parser_->chunked();
        body_unread_ = has_body;
        if ((length && *length > limit) || (header_parser_->chunked() && limit == 0))
            return reject(413, "Payload Too Large\n");
        bool expects_continue = has_body && beast::iequals(h[bhttp::field::expect], "100-continue");

        if (limit > 0 && state_->hooks.open_sink) {
            std::optional<sink_result> opened;
            try {
                opened = state_->hooks.open_sink(req_);
            } catch (...) {
                return send_final(response::text(500, "Internal Server Error\n"), false);
            }
            if (opened) {
                if (auto* early = std::get_if<response>(&*opened))
                    return send_final(std::move(*early), keep_alive_ && !has_body);  // no body to skip: keep the connection
                sink_ = std::move(std::get<std::unique_ptr<body_sink>>(*opened));
                if (!sink_) return send_final(response::text(500, "Internal Server Error\n"), false);
                stream_parser_.emplace(std::move(*header_parser_));
                stream_parser_->body_limit(limit);  // counts chunked bodies as they arrive
                header_parser_.reset();
                if (!piece_) piece_ = std::make_unique<char[]>(piece_size);
                // Beast reads at most the buffer's free capacity per call: at the 1 KiB left from
                // the header, a big body would take a system call and a timer per KiB.
                buffer_.reserve(64 * 1024);
                // The client waits for 100 only now that the factory has accepted.
                return expects_continue ? send_continue([](session& s) { s.read_piece(); }) : read_piece();
            }
        }

        body_parser_.emplace(std::move(*header_parser_));
        body_parser_->body_limit(limit);
        header_parser_.reset();
        stream_.expires_after(state_->opts.read_timeout);
        if (expects_continue) return send_continue([](session& s) { s.read_body(); });
        read_body();
    }

    void send_continue(void (*next)(session&)) {
        static const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
        stream_.expires_after(state_->opts.write_timeout);
        net::async_write(stream_, net::buffer(cont), [self = shared_from_this(), next](beast::error_code ec, std::size_t) {
            if (ec) {
                self->abort_sink();
                return self->close();
            }
            next(*self);
        });
    }

    void read_body() {
        stream_.expires_after(state_->opts.read_timeout);
        bhttp::async_read(stream_, buffer_, *body_parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec == bhttp::error::body_limit) return reject(413, "Payload Too Large\n");
        if (ec && is_disconnect(ec)) return close();
        if (ec) return reject(400, "Bad Request\n");
        body_unread_ = false;
        req_.body = std::move(body_parser_->get().body());
        body_parser_.reset();
        run_handler();
    }

    // One buffer-full of a streamed body: Beast stops with need_buffer when the buffer is full.
    void read_piece() {
        if (stream_parser_->is_done()) return finish_stream();
        auto& body = stream_parser_->get().body();
        body.data = piece_.get();
        body.size = piece_size;
        body.more = true;
        // Per piece, not per body: a big upload over a slow line may take long, a stalled one may not.
        stream_.expires_after(state_->opts.read_timeout);
        bhttp::async_read(stream_, buffer_, *stream_parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_piece(ec); });
    }

    void on_piece(beast::error_code ec) {
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) {
            abort_sink();
            stream_parser_.reset();
            if (ec == bhttp::error::body_limit) return reject(413, "Payload Too Large\n");
            if (is_disconnect(ec) || ec == bhttp::error::partial_message) return close();
            return reject(400, "Bad Request\n");
        }
        std::size_t n = piece_size - stream_parser_->get().body().size;
        if (n > 0) {
            bool ok = false;
            try {
                ok = sink_->write(std::string_view(piece_.get(), n));
            } catch (...) {
                return sink_failed();
            }
            if (!ok) return refuse();
        }
        read_piece();
    }

    void finish_stream() {
        body_unread_ = false;
        stream_parser_.reset();
        bool ok = false;
        try {
            ok = sink_->finish();
        } catch (...) {
            return sink_failed();
        }
        if (!ok) return refuse();
        req_.sink = std::shared_ptr<body_sink>(std::move(sink_));
        run_handler();
    }

    // The sink said no: its own answer, then it cleans up; the rest of the body stays unread.
    void refuse() {
        response r;
        try {
            r = sink_->refusal();
        } catch (...) {
            r = response::text(500, "Internal Server Error\n");
        }
        abort_sink();
        stream_parser_.reset();
        send_final(std::move(r), false);
    }

    void sink_failed() {
        abort_sink();
        stream_parser_.reset();
        send_final(response::text(500, "Internal Server Error\n"), false);
    }

    void abort_sink() noexcept {
        if (sink_) sink_->abort();
        sink_.reset();
    }

    void run_handler() {
        if (state_->workers && state_->hooks.on_workers && state_->hooks.on_workers(req_.method, req_.path)) {
            // Nothing else touches this session until the answer is posted back: it is busy,
            // so neither stop nor eviction acts on it, and no read is pending.
            bool queued = state_->workers->try_submit([self = shared_from_this()] {
                auto res = std::make_shared<response>(self->call_handle());
                net::post(self->stream_.get_executor(), [self, res] { self->handled(std::move(*res)); });
            });
            if (!queued) return too_busy();
            return;
        }
        handled(call_handle());
    }

    response call_handle() {
        try {
            return state_->hooks.handle(req_);
        } catch (...) {
            // The application catches its own errors; this is the last line of defence.
            return response::text(500, "Internal Server Error\n");
        }
    }

    void handled(response&& res) {
        req_.sink.reset();  // what the handler did not take is deleted now, not at the next request
        write(std::move(res), keep_alive_ && !state_->stopping);
    }

    // The worker queue is full: say when to come back rather than queue without end.
    void too_busy() {
        req_.sink.reset();
        response r = response::text(503, "Service Unavailable\n");
        if (state_->hooks.on_rejected) {
            try {
                r = state_->hooks.on_rejected(req_, 503);
            } catch (...) {
                // Keep the plain answer.
            }
        }
        r.set_header("Retry-After", "1");
        write(std::move(r), keep_alive_ && !state_->stopping);
    }

    // An answer for a streaming route given outside `handle`.
    void send_final(response&& r, bool keep_alive) {
        if (state_->hooks.finish_response) {
            try {
                state_->hooks.finish_response(req_, r);
            } catch (...) {
                // Send it as it is.
            }
        }
        write(std::move(r), keep_alive && !state_->stopping);
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
        if (r.file) return write_file(std::move(r), keep_alive);
        if (r.stream) return write_stream(std::move(r), keep_alive);
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

    // The header through Beast, then the bytes straight from the file with sendfile(2):
    // file_body would copy them through a small user-space buffer.
    void write_file(response&& r, bool keep_alive) {
        auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(r.status),
                                                                        version_ ? version_ : 11);
        for (auto& [k, v] : r.headers) msg->insert(k, v);
        msg->keep_alive(keep_alive);
        msg->content_length(r.file->length);
        file_ = std::move(*r.file);
        if (req_.method == "HEAD") file_->length = 0;  // the header alone, with GET's Content-Length
        auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*msg);
        stream_.expires_after(state_->opts.write_timeout);
        bhttp::async_write_header(stream_, *sr, [self = shared_from_this(), msg, sr](beast::error_code ec, std::size_t) {
            if (ec) return self->end_file(ec);
            self->file_keep_alive_ = msg->keep_alive();
            self->send_file();
        });
    }

    void send_file() {
        if (file_->length == 0) return end_file({});
        auto& sock = stream_.socket();
        beast::error_code ec;
        if (!file_mode_) {
            // The last partial segment of a file must not wait for the client's delayed ACK.
            sock.set_option(tcp::no_delay(true), ec);
            sock.native_non_blocking(true, ec);
            if (ec) return end_file(ec);
            file_mode_ = true;
        }
        // A turn's share, so one fast reader cannot keep the loop from its other connections.
        std::uint64_t budget = 8 * 1024 * 1024;
        while (file_->length > 0) {
            if (budget == 0) {
                net::post(stream_.get_executor(), [self = shared_from_this()] { self->send_file(); });
                return;
            }
            auto off = static_cast<off_t>(file_->offset);
            auto want = static_cast<std::size_t>(std::min<std::uint64_t>({file_->length, budget, 1u << 30}));
            ssize_t n = ::sendfile(sock.native_handle(), file_->file->fd(), &off, want);
            if (n > 0) {
                auto sent = static_cast<std::uint64_t>(n);
                file_->offset += sent;
                file_->length -= sent;
                budget -= sent;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
            // n == 0: the file shrank under us, so the promised length cannot be kept.
            return end_file(n == 0 ? beast::error_code(net::error::eof) : beast::error_code(errno, beast::system_category()));
        }
        end_file({});
    }

    // Waits until the socket takes more, for at most write_timeout without progress.
    void wait_writable() {
        if (!wait_timer_) wait_timer_.emplace(stream_.get_executor());
        auto gen = ++wait_gen_;
        wait_timer_->expires_after(state_->opts.write_timeout);
        wait_timer_->async_wait([w = weak_from_this(), gen](beast::error_code ec) {
            auto self = w.lock();
            if (ec || !self || self->wait_gen_ != gen) return;
            beast::error_code ignored;
            self->stream_.socket().cancel(ignored);  // the wait below ends with operation_aborted
        });
        stream_.socket().async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
            ++self->wait_gen_;
            self->wait_timer_->cancel();
            if (ec) return self->end_file(ec);
            self->send_file();
        });
    }

    // A body pulled from a body_source: the header through Beast, then one chunk per read of
    // at most piece_size bytes, so memory stays at one buffer whatever the body's size.
    // HTTP/1.0 knows no chunks: there the body ends when we close the connection.
    void write_stream(response&& r, bool keep_alive) {
        auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(r.status),
                                                                        version_ ? version_ : 11);
        for (auto& [k, v] : r.headers) msg->insert(k, v);
        stream_chunked_ = msg->version() >= 11;
        msg->keep_alive(keep_alive && stream_chunked_);
        if (stream_chunked_) msg->chunked(true);
        source_ = std::move(r.stream);
        if (req_.method == "HEAD") source_.reset();  // the header alone
        auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*msg);
        stream_.expires_after(state_->opts.write_timeout);
        bhttp::async_write_header(stream_, *sr, [self = shared_from_this(), msg, sr](beast::error_code ec, std::size_t) {
            self->stream_keep_alive_ = msg->keep_alive();
            if (ec) return self->end_stream(ec);
            self->send_piece();
        });
    }

    void send_piece() {
        if (!source_) return end_stream({});
        if (!piece_) piece_ = std::make_unique<char[]>(piece_size);
        std::size_t n = 0;
        try {
            n = source_->read(piece_.get(), piece_size);
        } catch (...) {
            // No last chunk: the client must not take a cut body for a whole one.
            return end_stream(net::error::connection_aborted);
        }
        stream_.expires_after(state_->opts.write_timeout);
        auto next = [self = shared_from_this(), last = n == 0](beast::error_code ec, std::size_t) {
            if (ec || last) return self->end_stream(ec);
            self->send_piece();
        };
        if (n == 0) {
            source_.reset();
            if (!stream_chunked_) return end_stream({});
            return net::async_write(stream_, bhttp::make_chunk_last(), std::move(next));
        }
        if (stream_chunked_) return net::async_write(stream_, bhttp::make_chunk(net::buffer(piece_.get(), n)), std::move(next));
        net::async_write(stream_, net::buffer(piece_.get(), n), std::move(next));
    }

    void end_stream(beast::error_code ec) {
        source_.reset();
        on_write(ec, stream_keep_alive_ && !ec);
    }

    void end_file(beast::error_code ec) {
        file_.reset();  // closes the file once no other response holds it
        on_write(ec, file_keep_alive_ && !ec);
    }

    void on_write(beast::error_code ec, bool keep_alive) {
        busy_ = false;
        if (ec) return close();
        if (!keep_alive || state_->stopping) return body_unread_ ? linger() : close();
        read_header();
    }

    // Closing with unread request bytes makes the kernel send a reset, which can destroy our
    // answer (413, a refusal) before the client reads it; so stop sending and discard what
    // still comes for a little while first, as nginx's lingering close does.
    void linger() {
        body_unread_ = false;
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return close();
        if (!piece_) piece_ = std::make_unique<char[]>(piece_size);
        stream_.expires_after(std::chrono::seconds(2));
        discard();
    }

    void discard() {
        stream_.async_read_some(net::buffer(piece_.get(), piece_size),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->close();
                                    self->discard();  // the deadline set in linger() still holds
                                });
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
    std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;
    std::unique_ptr<body_sink> sink_;
    std::unique_ptr<char[]> piece_;
    std::optional<file_part> file_;
    std::shared_ptr<body_source> source_;
    bool stream_chunked_ = true;
    bool stream_keep_alive_ = false;
    std::optional<net::steady_timer> wait_timer_;
    std::uint64_t wait_gen_ = 0;
    request req_;
    std::string remote_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool body_unread_ = false;  // the request's body was not read to its end
    bool file_keep_alive_ = false;
    bool file_mode_ = false;  // TCP_NODELAY and non-blocking set for sendfile
    std::atomic<bool> busy_{false};
    std::atomic<std::int64_t> idle_since_{0};  // steady clock ticks while waiting for a request; 0 otherwise
    std::atomic<bool> served_{false};          // a request header came on this connection
    bool evicted_ = false;                     // under state->mu
};

// Descriptors kept free beyond the connections: database, files being sent, uploads, mail.
constexpr std::size_t descriptor_reserve = 64;

// Raises the soft descriptor limit to the hard one and returns how many connections fit:
// each may hold two descriptors (its socket and a file it sends or receives).
std::size_t connections_that_fit(std::size_t wanted) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return wanted;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    if (rl.rlim_cur == RLIM_INFINITY) return wanted;
    auto limit = static_cast<std::size_t>(rl.rlim_cur);
    std::size_t fit = limit > 2 * descriptor_reserve ? (limit - descriptor_reserve) / 2 : 16;
    if (fit < wanted)
        std::cerr << "max_connections lowered to " << fit << ": the descriptor limit is " << limit << std::endl;
    return std::min(wanted, fit);
}

bool out_of_descriptors(const beast::error_code& ec) {
    return ec == net::error::no_descriptors || ec == beast::error_code(ENFILE, beast::system_category()) ||
           ec == net::error::no_buffer_space || ec == net::error::no_memory;
}

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
    std::unique_ptr<net::steady_timer> accept_timer;
    std::chrono::steady_clock::time_point drain_deadline;

    net::io_context& main() { return *contexts.front(); }

    void accept() {
        auto& target = *contexts[next];
        next = (next + 1) % contexts.size();
        acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
            if (state->stopping || !acceptor->is_open()) return;
            if (out_of_descriptors(ec)) {
                // The pending connection stays queued and would fail again at once: make room,
                // and try again a little later instead of spinning.
                make_room();
                accept_timer->expires_after(std::chrono::milliseconds(50));
                accept_timer->async_wait([this](beast::error_code) {
                    if (!state->stopping && acceptor->is_open()) accept();
                });
                return;
            }
            if (!ec) {
                if (make_room()) {
                    std::make_shared<session>(std::move(socket), state)->start();
                } else {
                    beast::error_code ignored;  // every connection is busy with a request: refuse this one
                    socket.close(ignored);
                }
            }
            accept();
        });
    }

    // Before a new connection: when the open ones reach the cap, the idle connection that is
    // the best choice is closed (see session::eviction_rank). False when none is idle.
    bool make_room() {
        std::vector<std::shared_ptr<session>> chosen;  // released outside the lock
        std::lock_guard lock(state->mu);
        if (state->sessions.size() - state->evicting < state->max_connections) return true;
        session* best = nullptr;
        std::pair<bool, std::int64_t> best_rank{};
        for (session* s : state->sessions) {
            auto rank = s->eviction_rank();
            if (rank && (!best || *rank < best_rank)) {
                best = s;
                best_rank = *rank;
            }
        }
        if (!best) return false;
        auto sp = best->weak_from_this().lock();
        if (!sp) return false;
        best->evict();
        chosen.push_back(std::move(sp));
        return true;
    }

    std::mutex run_mu;
    bool running = false;
    bool stop_requested = false;

    void stop() {
        if (state->stopping) return;  // a signal and stop() may both come
        state->stopping = true;
        beast::error_code ec;
        acceptor->close(ec);
        accept_timer->cancel();
        // Take references under the lock, act and drop them outside it: the last reference
        // to a session that finished meanwhile runs ~session, which takes the same lock.
        std::vector<std::shared_ptr<session>> live;
        {
            std::lock_guard lock(state->mu);
            for (session* s : state->sessions)
                if (auto sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
        }
        for (auto& sp : live) sp->post_stop();
        live.clear();
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
    s.accept_timer = std::make_unique<net::steady_timer>(s.main());
    s.state->max_connections = connections_that_fit(std::max<std::size_t>(1, s.state->opts.max_connections));
    if (s.state->hooks.on_workers)
        s.state->workers = std::make_unique<worker_pool>(s.state->opts.worker_threads, s.state->opts.worker_queue);
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
    {
        std::lock_guard lock(s.run_mu);
        s.running = true;
        if (s.stop_requested) net::post(s.main(), [&s] { s.stop(); });
    }

    std::vector<std::thread> pool;
    for (int i = 1; i < n; ++i) pool.emplace_back([&s, i] { s.contexts[static_cast<std::size_t>(i)]->run(); });
    s.main().run();
    for (auto& t : pool) t.join();
    if (s.state->workers) s.state->workers->stop();
    std::lock_guard lock(s.run_mu);
    s.running = false;
}

void server::stop() {
    auto& s = *impl_;
    std::lock_guard lock(s.run_mu);
    s.stop_requested = true;
    // The acceptor, timers and session list belong to the first loop: stop there.
    if (s.running) net::post(s.main(), [&s] { s.stop(); });
}

}  // namespace sabor::http
