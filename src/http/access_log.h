// AccessLog: one JSON line per request written to <dir>/access.log, rotated when the file
// exceeds max_bytes or the UTC day changes (the closed file is renamed
// access-YYYYMMDDTHHMMSS.log, the UTC moment of rotation, with "-N" appended when that name is
// taken). Prune() deletes rotated files only when older than the retention period, which is never
// below 180 days (PA17-16, GR-13). "Now" for rotation and pruning comes from the injected Clock
// (file age = clock time minus the file's mtime). Thread-safe.
//
// Writes go through a 64 KiB stdio buffer and are not flushed per line: call Flush()
// periodically (the app does every second) and before exit; the destructor flushes too.
//
// Line format (keys in this order): {"time","request_id","user_id","method","route","path",
// "status","latency_ms","client","bytes"}. The query string is never logged (it may carry
// personal data); neither are headers or bodies.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace herald::http {

struct AccessLogEntry {
  Micros time = 0;
  std::string request_id;
  int64_t user_id = 0;
  std::string method;
  std::string route;
  std::string path;
  int status = 0;
  double latency_ms = 0;
  std::string client;
  int64_t bytes = 0;
};

class AccessLog {
 public:
  static constexpr int kMinRetentionDays = 180;

  // Creates `dir` when needed. retention_days below 180 is raised to 180.
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& dir, int64_t max_bytes,
                                                 int retention_days, const Clock& clock);
  ~AccessLog();

  void Write(const AccessLogEntry& entry);
  void Flush();
  // Deletes rotated files whose last modification is older than the retention period;
  // returns how many were deleted. The live file is never deleted.
  int Prune();

  static std::string FormatLine(const AccessLogEntry& entry);

 private:
  AccessLog(std::string dir, int64_t max_bytes, int retention_days, const Clock& clock);
  Status OpenFile();
  void RotateLocked();

  std::string dir_;
  int64_t max_bytes_;
  int retention_days_;
  const Clock& clock_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  int64_t size_ = 0;
  int64_t day_ = 0;
};

}  // namespace herald::http
