#include "subjects/otp.h"

#include "auth/phone.h"
#include "core/crypto.h"

namespace herald::subjects {

namespace {

constexpr std::string_view kPhoneIndexDomain = "phone";  // same domain as users.phone_index

bool ValidPurpose(std::string_view p) { return p == "verify_phone" || p == "subject"; }

}  // namespace

Result<OtpChallenge> OtpService::Send(std::string_view phone_in, std::string_view purpose,
                                      const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string phone, auth::NormalizePhone(phone_in));
  if (!ValidPurpose(purpose)) {
    return InvalidArgument("purpose must be verify_phone or subject", "invalid_purpose", "purpose");
  }
  const std::string phone_index = crypto::BlindIndex(index_key_, kPhoneIndexDomain, phone);
  const Micros now = clock_.Now();
  OtpChallenge ch;
  ch.id = crypto::HexEncode(random_.Bytes(16));
  ch.phone_masked = auth::MaskPhone(phone);
  ch.expires_at = now + options_.ttl;
  ch.resend_after = now + options_.resend_cooldown;
  std::string code = std::to_string(100000 + random_.Uniform(900000));
  std::string code_hash = crypto::BlindIndex(index_key_, "otp:" + ch.id, code);

  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(tx.LockExclusive("otp:" + phone_index));
        HERALD_ASSIGN_OR_RETURN(auto last,
                                tx.Query("SELECT MAX(created_at), COUNT(*) FROM otp_challenges "
                                         "WHERE phone_index = ? AND created_at > ?",
                                         {phone_index, now - kMicrosPerDay}));
        const auto& row = last.rows[0];
        if (!row.IsNull(0) && row.Int(0) > now - options_.resend_cooldown) {
          return ResourceExhausted(
              "a code was sent to this number moments ago; wait before "
              "asking again",
              "otp_cooldown", "phone");
        }
        if (row.Int(1) >= options_.per_phone_per_day) {
          return ResourceExhausted("too many codes were sent to this number today",
                                   "otp_daily_limit", "phone");
        }
        HERALD_ASSIGN_OR_RETURN(auto by_client, tx.Query("SELECT COUNT(*) FROM otp_challenges "
                                                         "WHERE client = ? AND created_at > ?",
                                                         {meta.client, now - kMicrosPerHour}));
        if (by_client.rows[0].Int(0) >= options_.per_client_per_hour) {
          return ResourceExhausted("too many codes were requested from this address",
                                   "otp_client_limit");
        }
        return tx
            .Execute(
                "INSERT INTO otp_challenges (id, phone_index, purpose, code_hash, client, "
                "created_at, expires_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                {ch.id, phone_index, std::string(purpose), code_hash, meta.client, now,
                 ch.expires_at})
            .status();
      }));

  SmsMessage msg{phone,
                 "【Herald】您的验证码是 " + code +
                     "，5 分钟内有效。请勿告诉他人。Your Herald code is " + code + ".",
                 std::string(purpose)};
  Status sent = sms_.Send(msg);
  if (!sent.ok()) {
    // Void the challenge; the cooldown still applies (a failing provider must not be hammered).
    (void)storage::RunInTransaction(db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
      return tx
          .Execute("UPDATE otp_challenges SET attempts = ? WHERE id = ?",
                   {int64_t{options_.max_attempts}, ch.id})
          .status();
    });
    return Unavailable("the text message could not be sent; try again later", "sms_unavailable");
  }
  return ch;
}

Status OtpService::Consume(std::string_view challenge_id, std::string_view phone_in,
                           std::string_view purpose, std::string_view code) {
  auto phone = auth::NormalizePhone(phone_in);
  if (!phone.ok() || challenge_id.size() != 32) {
    return InvalidArgument("unknown verification challenge", "otp_invalid", "otp_challenge");
  }
  const std::string phone_index = crypto::BlindIndex(index_key_, kPhoneIndexDomain, *phone);
  const Micros now = clock_.Now();
  Status verdict;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        verdict = Status();
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT phone_index, purpose, code_hash, expires_at, attempts, "
                                "consumed_at FROM otp_challenges WHERE id = ?",
                                {std::string(challenge_id)}));
        if (rows.empty() || rows.rows[0].Text(0) != phone_index ||
            rows.rows[0].Text(1) != purpose) {
          verdict =
              InvalidArgument("unknown verification challenge", "otp_invalid", "otp_challenge");
          return Status();
        }
        const auto& r = rows.rows[0];
        if (!r.IsNull(5)) {
          verdict = InvalidArgument("this code was already used", "otp_used", "otp_code");
          return Status();
        }
        if (r.Int(4) >= options_.max_attempts) {
          verdict = ResourceExhausted("too many wrong codes: request a new code",
                                      "otp_attempts_exceeded", "otp_code");
          return Status();
        }
        if (r.Int(3) <= now) {
          verdict =
              InvalidArgument("the code has expired: request a new one", "otp_expired", "otp_code");
          return Status();
        }
        std::string want =
            crypto::BlindIndex(index_key_, "otp:" + std::string(challenge_id), std::string(code));
        if (!crypto::ConstantTimeEquals(want, r.Text(2))) {
          int64_t left = options_.max_attempts - r.Int(4) - 1;
          verdict = InvalidArgument("wrong code (" + std::to_string(left) + " attempts left)",
                                    "otp_invalid", "otp_code");
          return tx
              .Execute("UPDATE otp_challenges SET attempts = attempts + 1 WHERE id = ?",
                       {std::string(challenge_id)})
              .status();
        }
        return tx
            .Execute("UPDATE otp_challenges SET consumed_at = ? WHERE id = ?",
                     {now, std::string(challenge_id)})
            .status();
      }));
  return verdict;
}

std::vector<storage::Migration> OtpService::Migrations() {
  return {{"subjects/0001_otp", R"sql(
CREATE TABLE otp_challenges (
  id TEXT PRIMARY KEY,
  phone_index TEXT NOT NULL,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  client TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  attempts BIGINT NOT NULL,
  consumed_at BIGINT
);
CREATE INDEX otp_challenges_phone ON otp_challenges (phone_index, created_at);
CREATE INDEX otp_challenges_client ON otp_challenges (client, created_at);
)sql",
           ""}};
}

}  // namespace herald::subjects
