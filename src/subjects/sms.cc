#include "subjects/sms.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/json_writer.h"

namespace herald::subjects {

Status OutboxSmsGateway::Send(const SmsMessage& message) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Unavailable("cannot create the SMS outbox directory", "sms_unavailable");
  ::chmod(dir_.c_str(), 0700);
  Micros now = clock_.Now();
  std::string name = std::to_string(now) + "-" + std::to_string(counter_.fetch_add(1));
  std::string body = JsonObjectWriter()
                         .Add("to", message.to)
                         .Add("text", message.text)
                         .Add("purpose", message.purpose)
                         .Add("time", FormatRfc3339(now))
                         .str();
  std::string tmp = dir_ + "/." + name + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << body << "\n";
    if (!out.good()) return Unavailable("cannot write to the SMS outbox", "sms_unavailable");
  }
  if (std::rename(tmp.c_str(), (dir_ + "/" + name + ".json").c_str()) != 0) {
    return Unavailable("cannot write to the SMS outbox", "sms_unavailable");
  }
  return Status();
}

}  // namespace herald::subjects
