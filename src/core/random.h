// Random: the one source of randomness for tokens, ids and codes, injectable so tests are
// repeatable. SystemRandom is cryptographically secure (libsodium); SeededRandom is a
// deterministic ChaCha20 stream for tests only. Both are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace herald {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;

  // n random bytes as a std::string.
  std::string Bytes(size_t n);
  // A uniformly distributed integer in [0, bound). bound must be > 0.
  uint64_t Uniform(uint64_t bound);
};

class SystemRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override;
};

// Deterministic: the same seed yields the same stream. Never use outside tests and demos.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed);
  void Fill(std::span<uint8_t> out) override;

 private:
  std::mutex mu_;
  uint8_t seed_[32];
  uint64_t counter_ = 0;
};

}  // namespace herald
