// IdentityVerifier: the seam to a licensed identity-verification service, which decides
// whether a real name matches an identity number (resident ID or unified social credit code).
//
// Real platforms call a licensed service; it cannot exist here, so the seam has:
//   - DevIdentityVerifier (DEVELOPMENT ONLY, labelled "development" in every decision it makes);
//   - an HTTP verifier (gateways/http_identity_verifier.h) speaking the contract documented in
//     docs/identity.md.
// The caller records every decision with its source and time (table identity_checks) and in the
// audit log.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "core/status.h"

namespace herald::subjects {

struct IdentityClaim {
  std::string kind;    // "resident_id" | "credit_code"
  std::string name;    // the person's real name, or the organisation's registered name
  std::string number;  // normalized number (already passed the format checks)
};

struct IdentityDecision {
  bool match = false;
  std::string source;     // who decided, e.g. "development" or the provider's name
  std::string reference;  // the provider's reference for the check, when it gives one
  std::string reason;     // for a mismatch: "name_mismatch", "number_not_found", ...
};

class IdentityVerifier {
 public:
  virtual ~IdentityVerifier() = default;
  // A decision (match or mismatch) on success; Unavailable ("verifier_unavailable") when the
  // service cannot be reached — the caller then refuses the registration without recording a
  // mismatch.
  virtual Result<IdentityDecision> Verify(const IdentityClaim& claim) = 0;
  virtual std::string_view Name() const = 0;
};

// DEVELOPMENT ONLY. Accepts every claim except these documented test markers, so demos and tests
// can exercise a refusal without real identities:
//   - a name containing "冒用" (borrowed) or "MISMATCH" → mismatch, reason "name_mismatch";
//   - a resident ID whose sequence digits (positions 15-17) are "999" → mismatch, reason
//     "number_not_found".
// Decisions carry source "development" and reference "dev-<n>".
class DevIdentityVerifier final : public IdentityVerifier {
 public:
  Result<IdentityDecision> Verify(const IdentityClaim& claim) override;
  std::string_view Name() const override { return "development"; }

 private:
  std::atomic<uint64_t> counter_{0};
};

}  // namespace herald::subjects
