// SlotPool: hands out the indices of a fixed set of connections, first come first served.
//
// Acquire waits (FIFO) until a slot is free or the timeout passes; Release gives the slot to the
// longest waiter directly, so no waiter is starved by later arrivals. The pool knows nothing about
// what a slot is: each backend keeps its connections in a vector indexed by slot.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <vector>

namespace herald::storage::internal {

class SlotPool {
 public:
  explicit SlotPool(int size);
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  // Returns a free slot, waiting up to `timeout`; std::nullopt when none became free in time.
  std::optional<int> Acquire(std::chrono::milliseconds timeout);
  // Returns `slot` (obtained from Acquire) to the pool.
  void Release(int slot);
  // Calls `fn(slot)` for every free slot while holding the pool's lock: no Acquire returns the
  // slot meanwhile. `fn` must not call into the pool.
  template <typename Fn>
  void ForEachFree(Fn&& fn) {
    std::lock_guard lock(mu_);
    for (int slot : free_) fn(slot);
  }

  int64_t size() const { return size_; }
  int64_t in_use() const;
  // Acquire calls that found no free slot and had to wait (whether or not they got one).
  int64_t waits() const;

 private:
  struct Waiter {
    std::condition_variable cv;
    int slot = -1;
  };

  const int size_;
  mutable std::mutex mu_;
  std::vector<int> free_;       // guarded by mu_
  std::list<Waiter*> waiters_;  // guarded by mu_; front is the longest waiter
  int64_t waits_ = 0;           // guarded by mu_
};

}  // namespace herald::storage::internal
