// Who is asking: the socket's address, or behind a trusted reverse proxy the address the
// proxy says it forwarded for. Limiters, the access log and /metrics use the result.
#pragma once
#include "http/message.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sabor::app {

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d), so one comparison fits both.
using ip_bytes = std::array<unsigned char, 16>;
std::optional<ip_bytes> parse_ip(std::string_view s);
bool is_loopback(std::string_view addr);

class trusted_proxies {
public:
    trusted_proxies() = default;
    // Addresses or CIDRs ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"); throws
    // std::invalid_argument naming the first entry it cannot read.
    explicit trusted_proxies(const std::vector<std::string>& entries);
    bool empty() const { return nets_.empty(); }
    bool contains(std::string_view addr) const;
    // The client's address for a request that came from `peer`: from a trusted proxy, the
    // rightmost address of X-Forwarded-For (else of Forwarded: for=) that is not itself a
    // trusted proxy; from anyone else, `peer`: their headers are not believed.
    std::string client_of(const std::string& peer, const http::request& req) const;

private:
    struct net {
        ip_bytes addr;
        int bits;
    };
    std::vector<net> nets_;
};

// True when the request arrived through a proxy: it names whom it was forwarded for.
bool forwarded(const http::request& req);

}  // namespace sabor::app
