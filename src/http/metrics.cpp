#include "http/metrics.hpp"

#include <cstdio>

namespace sabor::http {
namespace {
// Label values are route patterns we wrote ourselves, but escape anyway as the format asks.
std::string label(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '\\' || c == '"') o += '\\';
        if (c == '\n') {
            o += "\\n";
            continue;
        }
        o += c;
    }
    return o;
}
std::string num(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.9g", v);
    return b;
}
}  // namespace

void metrics::observe(const std::string& route, int status, double seconds) {
    std::lock_guard lock(mu_);
    auto it = requests_.find(route);
    if (it == requests_.end()) it = requests_.emplace(route, std::map<int, unsigned long long>{}).first;
    ++it->second[status];
    for (std::size_t i = 0; i < buckets.size(); ++i)
        if (seconds <= buckets[i]) ++bucket_counts_[i];
    ++count_;
    sum_ += seconds;
}

void metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(mu_);
    gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void metrics::add_counter(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(mu_);
    gauges_.push_back({std::move(name), std::move(help), std::move(read), "counter"});
}

std::string metrics::render() const {
    std::vector<gauge> gauges;
    std::string out;
    {
        std::lock_guard lock(mu_);
        out += "# HELP sabor_http_requests_total HTTP requests by route and status.\n";
        out += "# TYPE sabor_http_requests_total counter\n";
        for (const auto& [route, by_status] : requests_)
            for (const auto& [status, n] : by_status)
                out += "sabor_http_requests_total{route=\"" + label(route) + "\",status=\"" + std::to_string(status) +
                       "\"} " + std::to_string(n) + "\n";
        out += "# HELP sabor_http_request_duration_seconds Time to handle a request.\n";
        out += "# TYPE sabor_http_request_duration_seconds histogram\n";
        for (std::size_t i = 0; i < buckets.size(); ++i)
            out += "sabor_http_request_duration_seconds_bucket{le=\"" + num(buckets[i]) + "\"} " +
                   std::to_string(bucket_counts_[i]) + "\n";
        out += "sabor_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
        out += "sabor_http_request_duration_seconds_sum " + num(sum_) + "\n";
        out += "sabor_http_request_duration_seconds_count " + std::to_string(count_) + "\n";
        gauges = gauges_;
    }
    // Gauges may query the database: read them outside the lock.
    for (const auto& g : gauges) {
        out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " " + g.type + "\n";
        out += g.name + " " + num(g.read()) + "\n";
    }
    return out;
}

}  // namespace sabor::http
