// Metrics: Prometheus text exposition of request counts by route and status, a latency histogram
// by route, and gauges supplied by other modules (e.g. database pool use). Thread-safe; the
// per-request path takes one short lock.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace herald::http {

class Metrics {
 public:
  // Records one finished request. `route` is the matched pattern ("unmatched" when none).
  void Record(std::string_view method, std::string_view route, int status, double seconds);
  // Adds a callback that appends extra exposition text (HELP/TYPE lines included) at render time.
  void AddCollector(std::function<std::string()> collector);
  // The whole exposition, text format 0.0.4.
  std::string Render() const;

 private:
  struct Series;
  mutable std::mutex mu_;
  std::map<std::string, long long> requests_;              // key: method|route|status
  std::map<std::string, std::vector<long long>> buckets_;  // key: route
  std::map<std::string, double> sums_;
  std::map<std::string, long long> counts_;
  std::vector<std::function<std::string()>> collectors_;
};

}  // namespace herald::http
