#include "http/access_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "core/log.h"
#include "core/strings.h"

namespace herald::http {

namespace fs = std::filesystem;

namespace {

constexpr char kLiveName[] = "access.log";
constexpr size_t kBufferBytes = 64 * 1024;

int64_t DayOf(Micros t) {
  int64_t day = t / kMicrosPerDay;
  if (t < 0 && t % kMicrosPerDay != 0) --day;
  return day;
}

// "20260101T000000"
std::string CompactUtc(Micros t) {
  int64_t whole = t / kMicrosPerSecond;
  if (t % kMicrosPerSecond < 0) --whole;
  std::time_t secs = static_cast<std::time_t>(whole);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool IsRotatedName(const std::string& name) {
  return name.size() > 11 && name.compare(0, 7, "access-") == 0 &&
         name.compare(name.size() - 4, 4, ".log") == 0;
}

}  // namespace

AccessLog::AccessLog(std::string dir, int64_t max_bytes, int retention_days, const Clock& clock)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      retention_days_(std::max(retention_days, kMinRetentionDays)),
      clock_(clock) {}

AccessLog::~AccessLog() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) std::fclose(file_);
}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& dir, int64_t max_bytes,
                                                   int retention_days, const Clock& clock) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create access log directory " + dir + ": " + ec.message());
  std::unique_ptr<AccessLog> log(new AccessLog(dir, max_bytes, retention_days, clock));
  std::lock_guard<std::mutex> lock(log->mu_);
  HERALD_RETURN_IF_ERROR(log->OpenFile());
  return log;
}

// Opens (appending to) <dir>/access.log. A file left by an earlier run keeps its size, and its
// day is that of its last modification, so a restart on a later day rotates it first.
Status AccessLog::OpenFile() {
  const std::string path = dir_ + "/" + kLiveName;
  file_ = std::fopen(path.c_str(), "ae");
  if (file_ == nullptr) return Unavailable("cannot open access log " + path);
  std::setvbuf(file_, nullptr, _IOFBF, kBufferBytes);
  day_ = DayOf(clock_.Now());
  size_ = 0;
  struct stat st {};
  if (::fstat(fileno(file_), &st) == 0 && st.st_size > 0) {
    size_ = st.st_size;
    day_ = DayOf(static_cast<Micros>(st.st_mtim.tv_sec) * kMicrosPerSecond +
                 st.st_mtim.tv_nsec / 1000);
  }
  return Status();
}

std::string AccessLog::FormatLine(const AccessLogEntry& e) {
  double latency = std::isfinite(e.latency_ms) && e.latency_ms >= 0 ? e.latency_ms : 0;
  char latency_text[32];
  std::snprintf(latency_text, sizeof latency_text, "%.3f", latency);
  std::string line;
  line.reserve(192 + e.path.size() + e.route.size());
  line += "{\"time\":\"";
  line += FormatRfc3339(e.time);
  line += "\",\"request_id\":\"";
  line += JsonEscape(e.request_id);
  line += "\",\"user_id\":";
  line += std::to_string(e.user_id);
  line += ",\"method\":\"";
  line += JsonEscape(e.method);
  line += "\",\"route\":\"";
  line += JsonEscape(e.route);
  line += "\",\"path\":\"";
  line += JsonEscape(e.path);
  line += "\",\"status\":";
  line += std::to_string(e.status);
  line += ",\"latency_ms\":";
  line += latency_text;
  line += ",\"client\":\"";
  line += JsonEscape(e.client);
  line += "\",\"bytes\":";
  line += std::to_string(e.bytes);
  line += "}\n";
  return line;
}

void AccessLog::Write(const AccessLogEntry& entry) {
  const std::string line = FormatLine(entry);
  const Micros now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr && size_ > 0 &&
      (DayOf(now) != day_ ||
       (max_bytes_ > 0 && size_ + static_cast<int64_t>(line.size()) > max_bytes_))) {
    RotateLocked();
  }
  if (file_ == nullptr && !OpenFile().ok()) return;  // the disk is gone; drop the line
  // mu_ serialises every use of file_: stdio's own lock would be taken for nothing.
  size_t written = fwrite_unlocked(line.data(), 1, line.size(), file_);
  size_ += static_cast<int64_t>(written);
}

void AccessLog::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) std::fflush(file_);
}

// The closed file is named for the moment of rotation (its last possible entry), with "-N"
// appended when that name is taken.
void AccessLog::RotateLocked() {
  std::fclose(file_);
  file_ = nullptr;
  const std::string stamp = CompactUtc(clock_.Now());
  std::string target = dir_ + "/access-" + stamp + ".log";
  std::error_code ec;
  for (int n = 1; fs::exists(target, ec); ++n) {
    target = dir_ + "/access-" + stamp + "-" + std::to_string(n) + ".log";
  }
  fs::rename(dir_ + "/" + kLiveName, target, ec);
  if (ec) log::Error("access log rotation failed: " + ec.message());
  Status st = OpenFile();
  if (!st.ok()) log::Error(st.ToString());
  if (file_ != nullptr && ec) {
    // The old file could not be renamed and was reopened: start its day and size afresh so that
    // a failing rename does not repeat on every line.
    day_ = DayOf(clock_.Now());
    size_ = 0;
  }
}

int AccessLog::Prune() {
  const Micros now = clock_.Now();
  const Micros keep = static_cast<Micros>(retention_days_) * kMicrosPerDay;
  int deleted = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == kLiveName || !IsRotatedName(name)) continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const Micros mtime =
        static_cast<Micros>(st.st_mtim.tv_sec) * kMicrosPerSecond + st.st_mtim.tv_nsec / 1000;
    if (now - mtime <= keep) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm)) {
      ++deleted;
    } else if (rm) {
      log::Warn("cannot delete expired access log " + name + ": " + rm.message());
    }
  }
  return deleted;
}

}  // namespace herald::http
