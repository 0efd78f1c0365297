// SubjectService: the real person or organisation (主体) behind accounts, verified by composite
// real-identity checks (PA-8.1) and kept private (PA17-6, PA17-9).
//
// Individuals give a real name, a resident ID number and a mobile number proved by a one-time
// code; organisations give their registered name, type and unified social credit code plus the
// legal representative's name, ID number and mobile (proved by code). Format checks come from
// identity/id_numbers.h; the IdentityVerifier decides whether name and number match; every
// decision (match or not) is recorded with its source and time in `identity_checks` and the
// audit log ("identity.verification").
//
// Personal data — real names, ID numbers, phone numbers — is stored only sealed under the PII key
// (XChaCha20-Poly1305), found through keyed blind indexes, and shown only masked. An
// organisation's registered name and credit code are public disclosures (PA-9.2) and stored in
// clear. Reveal() returns clear values to a holder of pii.reveal and audits each read.
//
// Refusals (all with field names where one applies):
//   InvalidArgument  invalid_real_name, id_number_* / credit_code_* (format checks), invalid_phone,
//                    invalid_org_name, invalid_org_type, otp_* (see otp.h)
//   FailedPrecondition identity_mismatch (the verifier said no; recorded)
//   AlreadyExists    subject_exists (this user already verified this identity),
//                    identity_in_use (the identity belongs to another user: borrowed identity)
//   FailedPrecondition identity_blacklisted (the person or organisation is behind a blacklisted
//                    subject: an individual's ID number, a legal representative's ID number
//                    or an organisation's credit code, found by blind index; PA-19.2),
//                    sanctioned (the user is blacklisted or restricted from "register")
//   ResourceExhausted too_many_subjects, phone_linked_to_many_subjects,
//                    device_linked_to_many_subjects, too_many_registrations (PA-10.3)
//   Unavailable      verifier_unavailable
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "sanctions/sanction_service.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "subjects/otp.h"
#include "subjects/verifier.h"

namespace herald::subjects {

enum class SubjectKind { kIndividual, kOrganisation };
std::string_view SubjectKindName(SubjectKind k);  // "individual" / "organisation"

// Organisation types accepted for organisation subjects.
const std::vector<std::string>& OrganisationTypes();

struct IndividualInput {
  std::string real_name;
  std::string id_number;
  std::string phone;
  std::string otp_challenge;
  std::string otp_code;
};

struct OrganisationInput {
  std::string org_name;
  std::string org_type;  // one of OrganisationTypes()
  std::string credit_code;
  std::string legal_rep_name;
  std::string legal_rep_id_number;
  std::string legal_rep_phone;
  std::string otp_challenge;
  std::string otp_code;
};

// A subject as the platform's staff and its owner see it: personal data masked.
struct Subject {
  int64_t id = 0;
  SubjectKind kind = SubjectKind::kIndividual;
  int64_t owner_user_id = 0;
  std::string status;            // "verified"
  std::string real_name_masked;  // the person, or the legal representative: "张**"
  std::string id_number_masked;  // "110***********123X"
  std::string phone_masked;      // "138****8000"
  std::string org_name;          // organisations only (public disclosure)
  std::string org_type;
  std::string credit_code;  // organisations only (public disclosure)
  std::string verification_source;
  std::string verification_reference;
  Micros verified_at = 0;
  Micros created_at = 0;
};

// Clear personal data, for the content security officer only.
struct SubjectPii {
  int64_t subject_id = 0;
  std::string real_name;
  std::string id_number;
  std::string phone;
};

struct SubjectLimits {
  int per_user = 5;             // subjects one user may verify
  int per_phone = 3;            // subjects that may share one mobile number
  int per_device = 3;           // subjects created from one device id
  int per_client_per_day = 20;  // subject verifications from one client address per day
};

class SubjectService {
 public:
  SubjectService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                 OtpService& otp, IdentityVerifier& verifier, const auth::PiiKeys& keys,
                 SubjectLimits limits = {}, const sanctions::SanctionService* sanctions = nullptr)
      : db_(db),
        audit_(audit),
        clock_(clock),
        otp_(otp),
        verifier_(verifier),
        keys_(keys),
        limits_(limits),
        sanctions_(sanctions) {}

  Result<Subject> CreateIndividual(int64_t user_id, const IndividualInput& in,
                                   const auth::RequestMeta& meta);
  Result<Subject> CreateOrganisation(int64_t user_id, const OrganisationInput& in,
                                     const auth::RequestMeta& meta);

  // NotFound ("subject_not_found").
  Result<Subject> Get(int64_t id) const;
  Result<Subject> Get(storage::Transaction& tx, int64_t id) const;
  Result<std::vector<Subject>> ListByOwner(int64_t user_id) const;

  // Clear values; appends "pii.reveal" (actor, subject, reason) in the same transaction, so no
  // read goes unrecorded. InvalidArgument ("reason_required") without a reason.
  Result<SubjectPii> Reveal(const std::string& actor, int64_t subject_id, std::string_view reason,
                            const auth::RequestMeta& meta);

  // Dynamic re-verification (PA-9.3): asks the identity verifier again about `subject_id`.
  // A match renews verified_at; a mismatch sets the subject's status to "revoked". Both are
  // recorded in identity_checks and audited ("identity.reverification", actor `actor`).
  // Returns the subject as it is afterwards. Unavailable ("verifier_unavailable") changes nothing.
  Result<Subject> Reverify(const std::string& actor, int64_t subject_id,
                           const auth::RequestMeta& meta);
  // Ids of verified subjects whose last verification is older than `before`, oldest first.
  Result<std::vector<int64_t>> DueForReverification(Micros before, int limit) const;

  static std::vector<storage::Migration> Migrations();

  // Key rotation: re-seals names, ID numbers and phones under `to` and recomputes their blind
  // indexes (and organisations' credit-code index); pending one-time-code challenges, indexed by
  // the old key, are dropped. Runs in the caller's write transaction.
  static Status ReencryptPii(storage::Transaction& tx, const auth::PiiKeys& from,
                             const auth::PiiKeys& to);

 private:
  struct Verified {
    SubjectKind kind;
    std::string name;  // person or legal representative
    std::string id_number;
    std::string phone;
    std::string org_name, org_type, credit_code;
  };
  Result<Subject> Create(int64_t user_id, const Verified& v, std::string_view otp_challenge,
                         std::string_view otp_code, const auth::RequestMeta& meta);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  OtpService& otp_;
  IdentityVerifier& verifier_;
  const auth::PiiKeys& keys_;
  SubjectLimits limits_;
  const sanctions::SanctionService* sanctions_;
};

}  // namespace herald::subjects
