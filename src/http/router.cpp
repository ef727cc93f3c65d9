#include "http/router.hpp"

#include <stdexcept>

namespace sabor::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        auto j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

// Matches one route's segments against the path's; {name} takes one segment, {*name} the rest.
bool match_segments(const route& r, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string, std::less<>>* params) {
    std::size_t i = 0;
    for (; i < r.segments.size(); ++i) {
        const auto& seg = r.segments[i];
        bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
        if (is_param && seg[1] == '*') {
            if (i >= parts.size()) return false;
            if (params) {
                std::string rest;
                for (std::size_t k = i; k < parts.size(); ++k) {
                    if (!rest.empty()) rest += '/';
                    rest.append(parts[k]);
                }
                (*params)[seg.substr(2, seg.size() - 3)] = rest;
            }
            return true;
        }
        if (i >= parts.size()) return false;
        if (is_param) {
            if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
        } else if (seg != parts[i]) {
            return false;
        }
    }
    return i == parts.size();
}

}  // namespace

void router::add(std::string method, std::string pattern, handler fn, std::size_t body_limit, runs where) {
    route r;
    r.method = std::move(method);
    for (auto s : split_path(pattern)) r.segments.emplace_back(s);
    r.pattern = std::move(pattern);
    r.fn = std::move(fn);
    r.body_limit = body_limit;
    r.where = where;
    routes_.push_back(std::move(r));
}

void router::add_streaming(std::string method, std::string pattern, sink_factory make_sink, handler fn,
                           std::size_t body_limit) {
    // With a limit of 0 the server would refuse every body before the factory is asked.
    if (body_limit == 0 || !make_sink)
        throw std::invalid_argument("a streaming route needs a body limit and a factory: " + pattern);
    add(std::move(method), std::move(pattern), std::move(fn), body_limit);
    routes_.back().make_sink = std::move(make_sink);
}

void router::describe_last(std::string access, std::string input) {
    routes_.back().access = std::move(access);
    routes_.back().input = std::move(input);
}

match_result router::match(request& req) const {
    match_result res;
    std::string_view method = req.method;
    if (method == "HEAD") method = "GET";
    auto parts = split_path(req.path);  // once per request, not once per route
    for (const auto& r : routes_) {
        if (!match_segments(r, parts, nullptr)) continue;
        if (r.method == method) {
            req.params.clear();
            match_segments(r, parts, &req.params);
            res.found = &r;
            return res;
        }
        res.method_mismatch = true;
        if (!res.allow.empty()) res.allow += ", ";
        res.allow += r.method;
        if (r.method == "GET") res.allow += ", HEAD";  // answered by the GET route
    }
    return res;
}

std::size_t router::body_limit(std::string_view method, std::string_view path) const {
    auto parts = split_path(path);
    for (const auto& r : routes_)
        if (r.method == method && match_segments(r, parts, nullptr)) return r.body_limit;
    return 0;
}

bool router::on_workers(std::string_view method, std::string_view path) const {
    auto parts = split_path(path);
    for (const auto& r : routes_)
        if (r.method == method && match_segments(r, parts, nullptr)) return r.where == runs::on_workers;
    return false;
}

std::optional<sink_result> router::open_sink(request& req) const {
    auto m = match(req);
    if (!m.found || !m.found->make_sink) return std::nullopt;
    return m.found->make_sink(req);
}

}  // namespace sabor::http
