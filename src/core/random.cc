#include "core/random.h"

#include <sodium.h>

#include <cstring>

#include "core/crypto.h"

namespace herald {

std::string Random::Bytes(size_t n) {
  std::string out(n, '\0');
  Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), n));
  return out;
}

uint64_t Random::Uniform(uint64_t bound) {
  // Rejection sampling to avoid modulo bias.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  for (;;) {
    uint64_t v;
    Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
    if (v < limit) return v % bound;
  }
}

void SystemRandom::Fill(std::span<uint8_t> out) {
  crypto::EnsureInitialized();
  randombytes_buf(out.data(), out.size());
}

SeededRandom::SeededRandom(uint64_t seed) {
  crypto::EnsureInitialized();
  std::memset(seed_, 0, sizeof seed_);
  std::memcpy(seed_, &seed, sizeof seed);
}

void SeededRandom::Fill(std::span<uint8_t> out) {
  std::lock_guard<std::mutex> lock(mu_);
  // Each call derives a fresh block from (seed, counter) so the stream never repeats.
  uint8_t block_seed[randombytes_SEEDBYTES];
  std::memcpy(block_seed, seed_, sizeof block_seed);
  uint64_t c = ++counter_;
  std::memcpy(block_seed + 24, &c, sizeof c);
  randombytes_buf_deterministic(out.data(), out.size(), block_seed);
}

}  // namespace herald
