// Prometheus text metrics: requests by route and status, a latency histogram, and gauges
// that other parts register (mail queue depth, registrations, ...).
#pragma once
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sabor::http {

class metrics {
public:
    void observe(const std::string& route, int status, double seconds);
    void add_gauge(std::string name, std::string help, std::function<double()> read);
    // A value that only grows, read when rendered (kept by its owner).
    void add_counter(std::string name, std::string help, std::function<double()> read);
    std::string render() const;

    static constexpr std::array<double, 10> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

private:
    struct gauge {
        std::string name, help;
        std::function<double()> read;
        const char* type = "gauge";
    };
    mutable std::mutex mu_;
    // route -> status -> count; looked up without building a key string per request
    std::map<std::string, std::map<int, unsigned long long>, std::less<>> requests_;
    std::array<unsigned long long, buckets.size()> bucket_counts_{};
    unsigned long long count_ = 0;
    double sum_ = 0;
    std::vector<gauge> gauges_;
};

}  // namespace sabor::http
