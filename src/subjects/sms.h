// SmsGateway: the seam to an SMS provider, used to deliver one-time codes.
//
// Real platforms send through a licensed SMS provider; that service cannot exist here, so the
// seam has two implementations:
//   - OutboxSmsGateway (DEVELOPMENT ONLY): writes each message as a JSON file into a directory
//     (`<data>/outbox/`), where a developer, the demo and the tests read the codes;
//   - an HTTP gateway (gateways/http_sms_gateway.h) that POSTs each message to a configured URL.
// Messages carry a phone number in clear (the provider needs it); callers never log them.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace herald::subjects {

struct SmsMessage {
  std::string to;       // normalized mainland mobile number, 11 digits
  std::string text;     // the message body
  std::string purpose;  // e.g. "verify_phone"; lets a provider pick a template
};

class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  // Delivers (or queues) one message. Unavailable ("sms_unavailable") when the provider cannot
  // be reached or refuses; the caller then treats the code as not sent.
  virtual Status Send(const SmsMessage& message) = 0;
  // A short name for records and /healthz-style reports, e.g. "outbox", "http".
  virtual std::string_view Name() const = 0;
};

// DEVELOPMENT ONLY. Writes `<dir>/<micros>-<n>.json` = {"to","text","purpose","time"} atomically
// (temp file + rename), creating `dir` (mode 0700) on first use. Thread-safe.
class OutboxSmsGateway final : public SmsGateway {
 public:
  OutboxSmsGateway(std::string dir, const Clock& clock) : dir_(std::move(dir)), clock_(clock) {}
  Status Send(const SmsMessage& message) override;
  std::string_view Name() const override { return "outbox"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  const Clock& clock_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace herald::subjects
