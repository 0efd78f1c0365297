#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace herald::log {

namespace {
std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> fallback = [] {
    auto l = std::make_shared<spdlog::logger>(
        "herald", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
    return l;
  }();
  auto l = spdlog::get("herald");
  return l ? l : fallback;
}
}  // namespace

Status InitLogging(const std::string& level, const std::string& dir) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unavailable("cannot create log directory " + dir + ": " + ec.message());
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(dir + "/herald.log"));
    } catch (const spdlog::spdlog_ex& e) {
      return Unavailable(std::string("cannot open log file: ") + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("herald", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::drop("herald");
  spdlog::register_logger(logger);
  return Status();
}

void Debug(std::string_view m) { Logger()->debug("{}", m); }
void Info(std::string_view m) { Logger()->info("{}", m); }
void Warn(std::string_view m) { Logger()->warn("{}", m); }
void Error(std::string_view m) { Logger()->error("{}", m); }

}  // namespace herald::log
