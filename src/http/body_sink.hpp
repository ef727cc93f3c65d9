// Request bodies consumed as a stream (uploads): the server hands the body to a sink piece
// by piece through a fixed buffer, so memory does not grow with the body's size.
#pragma once
#include "http/message.hpp"

#include <functional>
#include <memory>
#include <string_view>
#include <variant>

namespace sabor::http {

// Receives a request body piece by piece, as it arrives from the socket. All calls come
// from the connection's thread, one at a time.
class body_sink {
public:
    virtual ~body_sink() = default;
    // False: stop reading; the server answers refusal() and closes the connection.
    virtual bool write(std::string_view piece) = 0;
    // The whole body arrived; false: the server answers refusal(). On true the route's
    // handler runs with req.sink pointing at this sink.
    virtual bool finish() = 0;
    // Delete what was written. Called when the client went away or timed out mid-body, the
    // body went over the route's limit, write/finish threw, and also after a refusal (once
    // refusal() has built its answer), so cleaning up lives in one place. May come twice.
    virtual void abort() noexcept = 0;
    // The answer when write() or finish() returned false (400 truncated multipart, 415, ...).
    virtual response refusal() = 0;
};

// Either a sink for the body, or an answer sent at once without reading the body.
using sink_result = std::variant<std::unique_ptr<body_sink>, response>;

// Called once the header is known and before any body byte is read, with method, target,
// path, query, headers, remote_addr and params filled: checks the caller and the target
// (401/403/404 at once) and opens the sink.
using sink_factory = std::function<sink_result(request& head)>;

// The request's sink as its concrete type; nullptr when there is none or it is another type.
template <class Sink>
Sink* sink_as(const request& req) {
    return dynamic_cast<Sink*>(req.sink.get());
}

}  // namespace sabor::http
