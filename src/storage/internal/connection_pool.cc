#include "storage/internal/connection_pool.h"

namespace herald::storage::internal {

SlotPool::SlotPool(int size) : size_(size) {
  free_.reserve(size);
  // Hand out slot 0 first: a pool used lightly keeps reusing the same warm connection.
  for (int i = size - 1; i >= 0; --i) free_.push_back(i);
}

std::optional<int> SlotPool::Acquire(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!free_.empty() && waiters_.empty()) {
    int slot = free_.back();
    free_.pop_back();
    return slot;
  }
  ++waits_;
  Waiter me;
  auto it = waiters_.insert(waiters_.end(), &me);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Release() sets me.slot and unlinks `me` while holding mu_, so checking the slot under the
  // lock is enough; notify happens under the lock, so `me` outlives it.
  me.cv.wait_until(lock, deadline, [&] { return me.slot >= 0; });
  if (me.slot < 0) {
    waiters_.erase(it);
    return std::nullopt;
  }
  return me.slot;
}

void SlotPool::Release(int slot) {
  std::lock_guard lock(mu_);
  if (!waiters_.empty()) {
    Waiter* w = waiters_.front();
    waiters_.pop_front();
    w->slot = slot;
    w->cv.notify_one();
    return;
  }
  free_.push_back(slot);
}

int64_t SlotPool::in_use() const {
  std::lock_guard lock(mu_);
  return size_ - static_cast<int64_t>(free_.size());
}

int64_t SlotPool::waits() const {
  std::lock_guard lock(mu_);
  return waits_;
}

}  // namespace herald::storage::internal
