#include "http/metrics.h"

#include <charconv>
#include <cmath>
#include <iterator>

namespace herald::http {

namespace {

struct Bucket {
  double bound;
  const char* label;
};
constexpr Bucket kBuckets[] = {
    {0.0005, "0.0005"}, {0.001, "0.001"}, {0.0025, "0.0025"}, {0.005, "0.005"}, {0.01, "0.01"},
    {0.025, "0.025"},   {0.05, "0.05"},   {0.1, "0.1"},       {0.25, "0.25"},   {0.5, "0.5"},
    {1, "1"},           {2.5, "2.5"},     {5, "5"},
};
constexpr size_t kBucketCount = std::size(kBuckets);

// Label value escaping of the text format: backslash, double quote and line feed.
void AppendLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void AppendDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

}  // namespace

// Keys of requests_ are "method|route|status": the method never contains '|' and the status is
// numeric, so the route is everything between the first and the last '|'.
void Metrics::Record(std::string_view method, std::string_view route, int status, double seconds) {
  std::string key;
  key.reserve(method.size() + route.size() + 6);
  key.append(method).append("|").append(route).append("|").append(std::to_string(status));
  if (!(seconds >= 0)) seconds = 0;  // also catches NaN
  size_t bucket = 0;
  while (bucket < kBucketCount && seconds > kBuckets[bucket].bound) ++bucket;

  std::string route_key(route);

  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[std::move(key)];
  auto it = buckets_.find(route_key);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::move(route_key), std::vector<long long>(kBucketCount, 0)).first;
  }
  if (bucket < kBucketCount) ++it->second[bucket];
  sums_[it->first] += seconds;
  ++counts_[it->first];
}

void Metrics::AddCollector(std::function<std::string()> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() const {
  std::string out;
  std::vector<std::function<std::string()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out += "# HELP herald_http_requests_total HTTP requests by method, route and status.\n";
    out += "# TYPE herald_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      size_t first = key.find('|');
      size_t last = key.rfind('|');
      out += "herald_http_requests_total{method=\"";
      AppendLabelValue(out, std::string_view(key).substr(0, first));
      out += "\",route=\"";
      AppendLabelValue(out, std::string_view(key).substr(first + 1, last - first - 1));
      out += "\",status=\"";
      AppendLabelValue(out, std::string_view(key).substr(last + 1));
      out += "\"} ";
      out += std::to_string(count);
      out += '\n';
    }
    out += "# HELP herald_http_request_duration_seconds HTTP request latency by route.\n";
    out += "# TYPE herald_http_request_duration_seconds histogram\n";
    for (const auto& [route, buckets] : buckets_) {
      std::string label;
      AppendLabelValue(label, route);
      const long long count = counts_.at(route);
      long long cumulative = 0;
      for (size_t i = 0; i < kBucketCount; ++i) {
        cumulative += buckets[i];
        out += "herald_http_request_duration_seconds_bucket{route=\"" + label + "\",le=\"";
        out += kBuckets[i].label;
        out += "\"} " + std::to_string(cumulative) + "\n";
      }
      out += "herald_http_request_duration_seconds_bucket{route=\"" + label + "\",le=\"+Inf\"} " +
             std::to_string(count) + "\n";
      out += "herald_http_request_duration_seconds_sum{route=\"" + label + "\"} ";
      AppendDouble(out, sums_.at(route));
      out += "\n";
      out += "herald_http_request_duration_seconds_count{route=\"" + label + "\"} " +
             std::to_string(count) + "\n";
    }
    collectors = collectors_;
  }
  // Collectors run outside the lock: they may be slow, or record metrics themselves.
  for (const auto& collector : collectors) {
    std::string text = collector();
    out += text;
    if (!text.empty() && text.back() != '\n') out += '\n';
  }
  return out;
}

}  // namespace herald::http
