// OtpService: one-time codes that prove a mobile number (PA-8.1), with the defences of PA-10.3.
//
// Send() creates a challenge (an opaque id returned to the client) and texts a 6-digit code to
// the number through the SmsGateway. Consume() checks a code against a challenge exactly once.
// Only a keyed hash of the code and a blind index of the number are stored.
//
// Limits (OtpOptions; all refusals are ResourceExhausted with a stable reason):
//   otp_cooldown       a code was sent to this number less than `resend_cooldown` ago
//   otp_daily_limit    `per_phone_per_day` codes already sent to this number in 24 h
//   otp_client_limit   `per_client_per_hour` codes already requested from this client address
// Consume() failures: InvalidArgument "otp_invalid" (unknown challenge, other number or purpose,
// or wrong code; field "otp_code" for a wrong code), "otp_expired", "otp_used";
// ResourceExhausted "otp_attempts_exceeded" after `max_attempts` wrong codes (the challenge is
// dead; request a new code). A wrong code is counted even though the call fails.
// Thread-safe; all state lives in the database.
#pragma once

#include <string>

#include "auth/auth_service.h"
#include "core/clock.h"
#include "core/random.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "subjects/sms.h"

namespace herald::subjects {

struct OtpOptions {
  Micros ttl = 5 * kMicrosPerMinute;
  Micros resend_cooldown = 60 * kMicrosPerSecond;
  int max_attempts = 5;
  int per_phone_per_day = 10;
  int per_client_per_hour = 30;
};

struct OtpChallenge {
  std::string id;  // opaque, 32 hex characters
  std::string phone_masked;
  Micros expires_at = 0;
  Micros resend_after = 0;
};

class OtpService {
 public:
  OtpService(storage::Database& db, SmsGateway& sms, const Clock& clock, Random& random,
             std::string index_key, OtpOptions options)
      : db_(db),
        sms_(sms),
        clock_(clock),
        random_(random),
        index_key_(std::move(index_key)),
        options_(options) {}

  // `purpose`: "verify_phone" (a user's own number), "subject" (the mobile of a subject being
  // verified). InvalidArgument "invalid_phone" / "invalid_purpose"; the limits above;
  // Unavailable "sms_unavailable" when the gateway fails (the challenge is then void).
  Result<OtpChallenge> Send(std::string_view phone, std::string_view purpose,
                            const auth::RequestMeta& meta);

  // Checks `code` for `challenge_id`, which must have been sent to `phone` for `purpose`.
  Status Consume(std::string_view challenge_id, std::string_view phone, std::string_view purpose,
                 std::string_view code);

  static std::vector<storage::Migration> Migrations();

 private:
  storage::Database& db_;
  SmsGateway& sms_;
  const Clock& clock_;
  Random& random_;
  std::string index_key_;
  OtpOptions options_;
};

}  // namespace herald::subjects
