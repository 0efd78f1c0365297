#include "subjects/verifier.h"

namespace herald::subjects {

Result<IdentityDecision> DevIdentityVerifier::Verify(const IdentityClaim& claim) {
  IdentityDecision d;
  d.source = "development";
  d.reference = "dev-" + std::to_string(counter_.fetch_add(1) + 1);
  if (claim.name.find("冒用") != std::string::npos ||
      claim.name.find("MISMATCH") != std::string::npos) {
    d.reason = "name_mismatch";
    return d;
  }
  if (claim.kind == "resident_id" && claim.number.size() == 18 &&
      claim.number.substr(14, 3) == "999") {
    d.reason = "number_not_found";
    return d;
  }
  d.match = true;
  return d;
}

}  // namespace herald::subjects
