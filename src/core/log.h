// Process logging (not the access log, which lives in http/, nor the audit log).
// Lines go to stderr and, after InitLogging with a directory, to <dir>/herald.log.
// Never pass personal data (phone numbers, ID numbers, names, passwords, tokens) to these
// functions: log ids and masked values only. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace herald::log {

// level: trace, debug, info, warn, error, off. dir may be empty (stderr only).
Status InitLogging(const std::string& level, const std::string& dir);
void Debug(std::string_view message);
void Info(std::string_view message);
void Warn(std::string_view message);
void Error(std::string_view message);

}  // namespace herald::log
