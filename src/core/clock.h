// Clock: the one source of "now". Production code takes a Clock& so that expiry, rate limits,
// retention rules and audit timestamps are testable with FakeClock.
//
// Time is int64 microseconds since the Unix epoch, UTC. Both implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace herald {

using Micros = int64_t;
constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr Micros kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the epoch (UTC).
  virtual Micros Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Micros Now() const override;
};

// A clock that only moves when told. Starts at `start` (default 2026-01-01T00:00:00Z).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Micros start = 1767225600LL * kMicrosPerSecond) : now_(start) {}
  Micros Now() const override { return now_.load(); }
  void Advance(Micros delta) { now_ += delta; }
  void Set(Micros t) { now_ = t; }

 private:
  std::atomic<Micros> now_;
};

// "2026-01-01T00:00:00.000000Z" (RFC 3339, UTC, microsecond precision).
std::string FormatRfc3339(Micros t);
// Parses RFC 3339 / ISO 8601 UTC timestamps: "2026-01-01T00:00:00Z", with optional fraction,
// or with a numeric offset "+08:00". Returns false on anything else.
bool ParseRfc3339(std::string_view text, Micros* out);

}  // namespace herald
