#include "app/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace sabor::app {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// One element of a Forwarded header's for= (RFC 7239): "1.2.3.4", "\"[2001:db8::1]:4711\"",
// "1.2.3.4:80"; the bare address.
std::string_view forwarded_node(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (!v.empty() && v.front() == '[') {
        auto end = v.find(']');
        return end == std::string_view::npos ? std::string_view{} : v.substr(1, end - 1);
    }
    if (std::count(v.begin(), v.end(), ':') == 1) v = v.substr(0, v.find(':'));
    return v;
}

// Every value of a header named `name`, in order, split at commas.
std::vector<std::string_view> list_values(const http::request& req, std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : req.headers) {
        if (k != name) continue;
        std::string_view rest = v;
        while (true) {
            auto comma = rest.find(',');
            out.push_back(trim(rest.substr(0, comma)));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return out;
}

// The addresses a request passed through, client first, from X-Forwarded-For when there is
// one (what the recommended proxies set), else from Forwarded's for= parameters.
std::vector<std::string> chain(const http::request& req) {
    std::vector<std::string> out;
    for (auto v : list_values(req, "x-forwarded-for")) out.emplace_back(v);
    if (!out.empty()) return out;
    for (auto element : list_values(req, "forwarded")) {
        std::string node;  // an element without for= leaves a gap nobody can be trusted across
        while (!element.empty()) {
            auto semi = element.find(';');
            auto pair = trim(element.substr(0, semi));
            auto eq = pair.find('=');
            if (eq != std::string_view::npos) {
                std::string key(trim(pair.substr(0, eq)));
                for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (key == "for") node = std::string(forwarded_node(pair.substr(eq + 1)));
            }
            if (semi == std::string_view::npos) break;
            element.remove_prefix(semi + 1);
        }
        out.push_back(node);
    }
    return out;
}

}  // namespace

std::optional<ip_bytes> parse_ip(std::string_view s) {
    if (s.empty() || s.size() > 45) return std::nullopt;
    std::string str(s);
    ip_bytes b{};
    unsigned char v4[4];
    if (inet_pton(AF_INET, str.c_str(), v4) == 1) {
        b[10] = b[11] = 0xff;
        std::memcpy(b.data() + 12, v4, 4);
        return b;
    }
    if (inet_pton(AF_INET6, str.c_str(), b.data()) == 1) return b;
    return std::nullopt;
}

bool is_loopback(std::string_view addr) {
    auto b = parse_ip(addr);
    if (!b) return false;
    static const ip_bytes v6_loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    bool mapped = std::all_of(b->begin(), b->begin() + 10, [](unsigned char c) { return c == 0; }) && (*b)[10] == 0xff &&
                  (*b)[11] == 0xff;
    return *b == v6_loopback || (mapped && (*b)[12] == 127);
}

trusted_proxies::trusted_proxies(const std::vector<std::string>& entries) {
    for (const auto& entry : entries) {
        auto e = trim(entry);
        auto slash = e.find('/');
        auto ip = parse_ip(e.substr(0, slash));
        if (!ip) throw std::invalid_argument("\"" + entry + "\" is not an address or CIDR");
        bool v4 = e.substr(0, slash).find(':') == std::string_view::npos;
        int bits = 128;
        if (slash != std::string_view::npos) {
            auto p = e.substr(slash + 1);
            int n = -1;
            auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
            if (ec != std::errc{} || end != p.data() + p.size() || n < 0 || n > (v4 ? 32 : 128))
                throw std::invalid_argument("\"" + entry + "\" is not an address or CIDR");
            bits = v4 ? n + 96 : n;
        }
        nets_.push_back({*ip, bits});
    }
}

bool trusted_proxies::contains(std::string_view addr) const {
    auto b = parse_ip(addr);
    if (!b) return false;
    for (const auto& n : nets_) {
        int full = n.bits / 8, rest = n.bits % 8;
        if (std::memcmp(b->data(), n.addr.data(), full) != 0) continue;
        if (rest) {
            unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
            if (((*b)[full] & mask) != (n.addr[full] & mask)) continue;
        }
        return true;
    }
    return false;
}

std::string trusted_proxies::client_of(const std::string& peer, const http::request& req) const {
    if (!contains(peer)) return peer;
    auto hops = chain(req);
    // From the right: each trusted hop vouches for the one before it; the first address
    // that is not a trusted proxy is the client. Anything unreadable ends the trust.
    std::string client = peer;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (!parse_ip(*it)) break;
        client = *it;
        if (!contains(*it)) break;
    }
    return client;
}

bool forwarded(const http::request& req) {
    return !req.header("x-forwarded-for").empty() || !req.header("forwarded").empty();
}

}  // namespace sabor::app
