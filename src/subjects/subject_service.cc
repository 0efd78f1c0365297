#include "subjects/subject_service.h"

#include <algorithm>

#include "auth/phone.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/strings.h"
#include "identity/id_numbers.h"

namespace herald::subjects {

namespace {

constexpr std::string_view kNameContext = "subjects.real_name";
constexpr std::string_view kIdContext = "subjects.id_number";
constexpr std::string_view kPhoneContext = "subjects.phone";
constexpr std::string_view kPhoneIndexDomain = "phone";
constexpr std::string_view kResidentIdDomain = "resident_id";
constexpr std::string_view kCreditCodeDomain = "credit_code";

constexpr std::string_view kColumns =
    "id, kind, owner_user_id, status, real_name_masked, id_number_masked, phone_masked, "
    "org_name, org_type, credit_code, verification_source, verification_reference, verified_at, "
    "created_at";

Subject FromRow(const storage::Row& r) {
  Subject s;
  s.id = r.Int(0);
  s.kind = r.Text(1) == "organisation" ? SubjectKind::kOrganisation : SubjectKind::kIndividual;
  s.owner_user_id = r.Int(2);
  s.status = r.Text(3);
  s.real_name_masked = r.Text(4);
  s.id_number_masked = r.Text(5);
  s.phone_masked = r.Text(6);
  s.org_name = r.Text(7);
  s.org_type = r.Text(8);
  s.credit_code = r.Text(9);
  s.verification_source = r.Text(10);
  s.verification_reference = r.Text(11);
  s.verified_at = r.Int(12);
  s.created_at = r.Int(13);
  return s;
}

// Real names: 2..50 characters, valid UTF-8, no control characters or digits.
Result<std::string> CheckPersonName(std::string_view in, const std::string& field) {
  std::string name(Trim(in));
  size_t len = Utf8Length(name);
  if (!IsValidUtf8(name) || len < 2 || len > 50) {
    return InvalidArgument("a real name has 2 to 50 characters", "invalid_real_name", field);
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || (c >= '0' && c <= '9')) {
      return InvalidArgument("a real name has no digits or control characters", "invalid_real_name",
                             field);
    }
  }
  return name;
}

// Asks the verifier about `claim`; for an organisation (`rep` set) also about its legal
// representative, whose mismatch becomes the decision with reason "legal_rep_<reason>".
Result<IdentityDecision> VerifyClaims(IdentityVerifier& verifier, const IdentityClaim& claim,
                                      const IdentityClaim* rep) {
  HERALD_ASSIGN_OR_RETURN(IdentityDecision decision, verifier.Verify(claim));
  if (decision.match && rep) {
    HERALD_ASSIGN_OR_RETURN(IdentityDecision rep_decision, verifier.Verify(*rep));
    if (!rep_decision.match) {
      decision = rep_decision;
      decision.reason = "legal_rep_" + rep_decision.reason;
    }
  }
  return decision;
}

// Records one verifier decision in identity_checks.
Status RecordCheck(storage::Transaction& tx, int64_t user_id, std::optional<int64_t> subject_id,
                   const std::string& kind, const std::string& number_index,
                   const IdentityDecision& d, const std::string& client, Micros now) {
  return tx
      .Execute(
          "INSERT INTO identity_checks (user_id, subject_id, kind, number_index, decision, "
          "reason, source, reference, client, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?)",
          {user_id, subject_id ? storage::Value(*subject_id) : storage::Value(), kind, number_index,
           std::string(d.match ? "match" : "mismatch"), d.reason, d.source, d.reference, client,
           now})
      .status();
}

}  // namespace

std::string_view SubjectKindName(SubjectKind k) {
  return k == SubjectKind::kOrganisation ? "organisation" : "individual";
}

const std::vector<std::string>& OrganisationTypes() {
  static const std::vector<std::string> types = {"enterprise",  "government",          "media",
                                                 "institution", "social_organisation", "other"};
  return types;
}

Result<Subject> SubjectService::CreateIndividual(int64_t user_id, const IndividualInput& in,
                                                 const auth::RequestMeta& meta) {
  Verified v;
  v.kind = SubjectKind::kIndividual;
  HERALD_ASSIGN_OR_RETURN(v.name, CheckPersonName(in.real_name, "real_name"));
  v.id_number = identity::NormalizeResidentId(in.id_number);
  HERALD_RETURN_IF_ERROR(identity::ValidateResidentId(v.id_number, clock_.Now()));
  HERALD_ASSIGN_OR_RETURN(v.phone, auth::NormalizePhone(in.phone, "phone"));
  return Create(user_id, v, in.otp_challenge, in.otp_code, meta);
}

Result<Subject> SubjectService::CreateOrganisation(int64_t user_id, const OrganisationInput& in,
                                                   const auth::RequestMeta& meta) {
  Verified v;
  v.kind = SubjectKind::kOrganisation;
  v.org_name = std::string(Trim(in.org_name));
  size_t len = Utf8Length(v.org_name);
  if (!IsValidUtf8(v.org_name) || len < 2 || len > 100) {
    return InvalidArgument("an organisation name has 2 to 100 characters", "invalid_org_name",
                           "org_name");
  }
  const auto& types = OrganisationTypes();
  if (std::find(types.begin(), types.end(), in.org_type) == types.end()) {
    return InvalidArgument(
        "org_type must be one of: enterprise, government, media, institution, "
        "social_organisation, other",
        "invalid_org_type", "org_type");
  }
  v.org_type = in.org_type;
  v.credit_code = identity::NormalizeCreditCode(in.credit_code);
  HERALD_RETURN_IF_ERROR(identity::ValidateCreditCode(v.credit_code));
  HERALD_ASSIGN_OR_RETURN(v.name, CheckPersonName(in.legal_rep_name, "legal_rep_name"));
  v.id_number = identity::NormalizeResidentId(in.legal_rep_id_number);
  Status id_ok = identity::ValidateResidentId(v.id_number, clock_.Now());
  if (!id_ok.ok()) {
    return Status(id_ok.code(), id_ok.message(), id_ok.reason(), "legal_rep_id_number");
  }
  HERALD_ASSIGN_OR_RETURN(v.phone, auth::NormalizePhone(in.legal_rep_phone, "legal_rep_phone"));
  return Create(user_id, v, in.otp_challenge, in.otp_code, meta);
}

Result<Subject> SubjectService::Create(int64_t user_id, const Verified& v,
                                       std::string_view otp_challenge, std::string_view otp_code,
                                       const auth::RequestMeta& meta) {
  const bool org = v.kind == SubjectKind::kOrganisation;
  const std::string id_index = crypto::BlindIndex(keys_.index_key, kResidentIdDomain, v.id_number);
  const std::string phone_index = crypto::BlindIndex(keys_.index_key, kPhoneIndexDomain, v.phone);
  const std::string code_index =
      org ? crypto::BlindIndex(keys_.index_key, kCreditCodeDomain, v.credit_code) : "";
  const std::string number_index = org ? code_index : id_index;
  const std::string user_actor = "user:" + std::to_string(user_id);
  const Micros now = clock_.Now();

  // Cheap refusals first, before a code is spent or the verifier is asked.
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
    if (sanctions_) {
      HERALD_RETURN_IF_ERROR(sanctions_->CheckAllowed(*tx, {{"user", user_id, ""}}, "register"));
      HERALD_ASSIGN_OR_RETURN(auto barred,
                              sanctions_->ActiveTargetIds(*tx, "subject", "blacklist"));
      if (!barred.empty()) {
        std::string sql =
            "SELECT COUNT(*) FROM subjects WHERE (id_number_index = ? OR credit_code_index = ?) "
            "AND id IN (";
        std::vector<storage::Value> params = {id_index, org ? code_index : std::string("-")};
        for (size_t i = 0; i < barred.size(); ++i) {
          sql += i ? ", ?" : "?";
          params.push_back(barred[i]);
        }
        HERALD_ASSIGN_OR_RETURN(auto hit, tx->Query(sql + ")", params));
        if (hit.rows[0].Int(0) > 0) {
          return FailedPrecondition(
              "this identity is behind a blacklisted subject and cannot register again",
              "identity_blacklisted", org ? "credit_code" : "id_number");
        }
      }
    }
    HERALD_ASSIGN_OR_RETURN(
        auto dup, org ? tx->Query("SELECT owner_user_id FROM subjects WHERE kind = "
                                  "'organisation' AND credit_code_index = ?",
                                  {code_index})
                      : tx->Query("SELECT owner_user_id FROM subjects WHERE kind = 'individual' "
                                  "AND id_number_index = ?",
                                  {id_index}));
    if (!dup.empty()) {
      if (dup.rows[0].Int(0) == user_id) {
        return AlreadyExists("you have already verified this identity", "subject_exists",
                             org ? "credit_code" : "id_number");
      }
      return AlreadyExists(
          "this identity is already verified by another user; a borrowed identity cannot be used",
          "identity_in_use", org ? "credit_code" : "id_number");
    }
    HERALD_ASSIGN_OR_RETURN(
        auto counts,
        tx->Query("SELECT (SELECT COUNT(*) FROM subjects WHERE owner_user_id = "
                  "?), (SELECT COUNT(*) FROM subjects WHERE phone_index = ?), "
                  "(SELECT COUNT(*) FROM subjects WHERE device = ? AND device "
                  "<> ''), (SELECT COUNT(*) FROM identity_checks WHERE client "
                  "= ? AND checked_at > ?)",
                  {user_id, phone_index, meta.device, meta.client, now - kMicrosPerDay}));
    const auto& c = counts.rows[0];
    if (c.Int(0) >= limits_.per_user) {
      return ResourceExhausted("this user has verified the most subjects allowed",
                               "too_many_subjects");
    }
    if (c.Int(1) >= limits_.per_phone) {
      return ResourceExhausted("this mobile number is already behind too many subjects",
                               "phone_linked_to_many_subjects", org ? "legal_rep_phone" : "phone");
    }
    if (!meta.device.empty() && c.Int(2) >= limits_.per_device) {
      return ResourceExhausted("this device is already behind too many subjects",
                               "device_linked_to_many_subjects");
    }
    if (c.Int(3) >= limits_.per_client_per_day) {
      return ResourceExhausted("too many identity verifications from this address today",
                               "too_many_registrations");
    }
  }

  HERALD_RETURN_IF_ERROR(otp_.Consume(otp_challenge, v.phone, "subject", otp_code));

  IdentityClaim claim{org ? "credit_code" : "resident_id", org ? v.org_name : v.name,
                      org ? v.credit_code : v.id_number};
  // An organisation is verified when the code matches its name and its legal representative's
  // ID matches theirs.
  IdentityClaim rep{"resident_id", v.name, v.id_number};
  HERALD_ASSIGN_OR_RETURN(IdentityDecision decision,
                          VerifyClaims(verifier_, claim, org ? &rep : nullptr));

  Subject created;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        std::optional<int64_t> subject_id;
        if (decision.match) {
          HERALD_ASSIGN_OR_RETURN(
              auto ins,
              tx.Query(
                  "INSERT INTO subjects (kind, owner_user_id, status, key_id, real_name_enc, "
                  "real_name_masked, id_number_enc, id_number_index, id_number_masked, phone_enc, "
                  "phone_index, phone_masked, org_name, org_type, credit_code, credit_code_index, "
                  "verification_source, verification_reference, verified_at, device, client, "
                  "created_at) VALUES (?, ?, 'verified', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, ?, ?, ?, ?, ?) RETURNING id",
                  {std::string(SubjectKindName(v.kind)),
                   user_id,
                   keys_.key_id,
                   storage::Blob{crypto::Seal(keys_.encryption_key, v.name, kNameContext)},
                   identity::MaskName(v.name),
                   storage::Blob{crypto::Seal(keys_.encryption_key, v.id_number, kIdContext)},
                   id_index,
                   identity::MaskIdNumber(v.id_number),
                   storage::Blob{crypto::Seal(keys_.encryption_key, v.phone, kPhoneContext)},
                   phone_index,
                   auth::MaskPhone(v.phone),
                   org ? storage::Value(v.org_name) : storage::Value(),
                   org ? storage::Value(v.org_type) : storage::Value(),
                   org ? storage::Value(v.credit_code) : storage::Value(),
                   org ? storage::Value(code_index) : storage::Value(),
                   decision.source,
                   decision.reference,
                   now,
                   meta.device,
                   meta.client,
                   now}));
          subject_id = ins.rows[0].Int(0);
        }
        HERALD_RETURN_IF_ERROR(RecordCheck(tx, user_id, subject_id, claim.kind, number_index,
                                           decision, meta.client, now));
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx,
                        audit::NewEntry{
                            user_actor, "identity.verification",
                            subject_id ? "subject:" + std::to_string(*subject_id) : user_actor,
                            JsonObjectWriter()
                                .Add("kind", SubjectKindName(v.kind))
                                .Add("decision", decision.match ? "match" : "mismatch")
                                .Add("reason", decision.reason)
                                .Add("source", decision.source)
                                .Add("reference", decision.reference)
                                .str(),
                            meta.request_id})
                .status());
        if (subject_id) {
          HERALD_ASSIGN_OR_RETURN(created, Get(tx, *subject_id));
        }
        return Status();
      }));
  if (!decision.match) {
    return FailedPrecondition(
        "the identity service did not confirm that the name matches the number (" +
            decision.reason + ")",
        "identity_mismatch", org ? "credit_code" : "id_number");
  }
  return created;
}

Result<std::vector<int64_t>> SubjectService::DueForReverification(Micros before, int limit) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT id FROM subjects WHERE status = 'verified' "
                                               "AND verified_at < ? ORDER BY verified_at LIMIT ?",
                                               {before, int64_t{limit}}));
  std::vector<int64_t> ids;
  for (const auto& r : rows.rows) ids.push_back(r.Int(0));
  return ids;
}

Result<Subject> SubjectService::Reverify(const std::string& actor, int64_t subject_id,
                                         const auth::RequestMeta& meta) {
  IdentityClaim claim, rep;
  bool org = false;
  int64_t owner = 0;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT kind, real_name_enc, id_number_enc, org_name, credit_code, "
                             "status, owner_user_id FROM subjects WHERE id = ?",
                             {subject_id}));
    if (rows.empty()) return NotFound("no such subject", "subject_not_found");
    const auto& r = rows.rows[0];
    if (r.Text(5) != "verified") {
      return FailedPrecondition("only a verified subject can be re-verified",
                                "subject_not_verified");
    }
    org = r.Text(0) == "organisation";
    owner = r.Int(6);
    HERALD_ASSIGN_OR_RETURN(std::string name,
                            crypto::Open(keys_.encryption_key, r.Bytes(1), kNameContext));
    HERALD_ASSIGN_OR_RETURN(std::string id,
                            crypto::Open(keys_.encryption_key, r.Bytes(2), kIdContext));
    rep = IdentityClaim{"resident_id", name, id};
    claim = org ? IdentityClaim{"credit_code", r.Text(3), r.Text(4)} : rep;
  }
  HERALD_ASSIGN_OR_RETURN(IdentityDecision decision,
                          VerifyClaims(verifier_, claim, org ? &rep : nullptr));
  const Micros now = clock_.Now();
  const std::string number_index =
      org ? crypto::BlindIndex(keys_.index_key, kCreditCodeDomain, claim.number)
          : crypto::BlindIndex(keys_.index_key, kResidentIdDomain, claim.number);
  Subject out;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(
            tx.Execute(decision.match
                           ? "UPDATE subjects SET verified_at = ?, verification_source = ?, "
                             "verification_reference = ? WHERE id = ?"
                           : "UPDATE subjects SET status = 'revoked', verification_source = ?, "
                             "verification_reference = ? WHERE id = ?",
                       decision.match ? std::vector<storage::Value>{now, decision.source,
                                                                    decision.reference, subject_id}
                                      : std::vector<storage::Value>{decision.source,
                                                                    decision.reference, subject_id})
                .status());
        HERALD_RETURN_IF_ERROR(RecordCheck(tx, owner, subject_id, claim.kind, number_index,
                                           decision, meta.client, now));
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx,
                        audit::NewEntry{actor, "identity.reverification",
                                        "subject:" + std::to_string(subject_id),
                                        JsonObjectWriter()
                                            .Add("decision", decision.match ? "match" : "mismatch")
                                            .Add("reason", decision.reason)
                                            .Add("source", decision.source)
                                            .Add("reference", decision.reference)
                                            .str(),
                                        meta.request_id})
                .status());
        HERALD_ASSIGN_OR_RETURN(out, Get(tx, subject_id));
        return Status();
      }));
  return out;
}

Result<Subject> SubjectService::Get(storage::Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT " + std::string(kColumns) + " FROM subjects WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no such subject", "subject_not_found");
  return FromRow(rows.rows[0]);
}

Result<Subject> SubjectService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  return Get(*tx, id);
}

Result<std::vector<Subject>> SubjectService::ListByOwner(int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT " + std::string(kColumns) +
                                                   " FROM subjects WHERE owner_user_id = ? "
                                                   "ORDER BY id",
                                               {user_id}));
  std::vector<Subject> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<SubjectPii> SubjectService::Reveal(const std::string& actor, int64_t subject_id,
                                          std::string_view reason, const auth::RequestMeta& meta) {
  std::string why(Trim(reason));
  if (why.empty() || Utf8Length(why) > 500 || !IsValidUtf8(why)) {
    return InvalidArgument("say why the clear values are needed (1 to 500 characters)",
                           "reason_required", "reason");
  }
  SubjectPii pii;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT real_name_enc, id_number_enc, phone_enc FROM subjects "
                                "WHERE id = ?",
                                {subject_id}));
        if (rows.empty()) return NotFound("no such subject", "subject_not_found");
        const auto& r = rows.rows[0];
        pii.subject_id = subject_id;
        HERALD_ASSIGN_OR_RETURN(pii.real_name,
                                crypto::Open(keys_.encryption_key, r.Bytes(0), kNameContext));
        HERALD_ASSIGN_OR_RETURN(pii.id_number,
                                crypto::Open(keys_.encryption_key, r.Bytes(1), kIdContext));
        HERALD_ASSIGN_OR_RETURN(pii.phone,
                                crypto::Open(keys_.encryption_key, r.Bytes(2), kPhoneContext));
        return audit_
            .Append(tx,
                    audit::NewEntry{actor, "pii.reveal", "subject:" + std::to_string(subject_id),
                                    JsonObjectWriter()
                                        .Add("fields", "real_name,id_number,phone")
                                        .Add("reason", why)
                                        .str(),
                                    meta.request_id})
            .status();
      }));
  return pii;
}

Status SubjectService::ReencryptPii(storage::Transaction& tx, const auth::PiiKeys& from,
                                    const auth::PiiKeys& to) {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, real_name_enc, id_number_enc, phone_enc, "
                                              "credit_code FROM subjects"));
  for (const auto& r : rows.rows) {
    auto name = crypto::Open(from.encryption_key, r.Bytes(1), kNameContext);
    auto id = crypto::Open(from.encryption_key, r.Bytes(2), kIdContext);
    auto phone = crypto::Open(from.encryption_key, r.Bytes(3), kPhoneContext);
    if (!name.ok() || !id.ok() || !phone.ok()) {
      return Internal("a subject's data does not open under the current key", "pii_decrypt_failed");
    }
    std::string code = r.Text(4);
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE subjects SET real_name_enc = ?, id_number_enc = ?, id_number_index = ?, "
                   "phone_enc = ?, phone_index = ?, credit_code_index = ?, key_id = ? WHERE id = ?",
                   {storage::Blob{crypto::Seal(to.encryption_key, *name, kNameContext)},
                    storage::Blob{crypto::Seal(to.encryption_key, *id, kIdContext)},
                    crypto::BlindIndex(to.index_key, kResidentIdDomain, *id),
                    storage::Blob{crypto::Seal(to.encryption_key, *phone, kPhoneContext)},
                    crypto::BlindIndex(to.index_key, kPhoneIndexDomain, *phone),
                    code.empty()
                        ? storage::Value()
                        : storage::Value(crypto::BlindIndex(to.index_key, kCreditCodeDomain, code)),
                    to.key_id, r.Int(0)})
            .status());
  }
  return tx.Execute("DELETE FROM otp_challenges WHERE consumed_at IS NULL").status();
}

std::vector<storage::Migration> SubjectService::Migrations() {
  return {{"subjects/0002_subjects", R"sql(
CREATE TABLE subjects (
  id {{AUTO_ID}},
  kind TEXT NOT NULL CHECK (kind IN ('individual', 'organisation')),
  owner_user_id BIGINT NOT NULL REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('verified', 'revoked')),
  key_id TEXT NOT NULL,
  real_name_enc {{BLOB}} NOT NULL,
  real_name_masked TEXT NOT NULL,
  id_number_enc {{BLOB}} NOT NULL,
  id_number_index TEXT NOT NULL,
  id_number_masked TEXT NOT NULL,
  phone_enc {{BLOB}} NOT NULL,
  phone_index TEXT NOT NULL,
  phone_masked TEXT NOT NULL,
  org_name TEXT,
  org_type TEXT,
  credit_code TEXT,
  credit_code_index TEXT,
  verification_source TEXT NOT NULL,
  verification_reference TEXT NOT NULL,
  verified_at BIGINT NOT NULL,
  device TEXT NOT NULL,
  client TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX subjects_individual_id ON subjects (id_number_index) WHERE kind = 'individual';
CREATE UNIQUE INDEX subjects_org_code ON subjects (credit_code_index) WHERE kind = 'organisation';
CREATE INDEX subjects_owner ON subjects (owner_user_id);
CREATE INDEX subjects_phone ON subjects (phone_index);
CREATE INDEX subjects_device ON subjects (device);
CREATE TABLE identity_checks (
  id {{AUTO_ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  subject_id BIGINT REFERENCES subjects (id),
  kind TEXT NOT NULL,
  number_index TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('match', 'mismatch')),
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  reference TEXT NOT NULL,
  client TEXT NOT NULL,
  checked_at BIGINT NOT NULL
);
CREATE INDEX identity_checks_client ON identity_checks (client, checked_at);
)sql",
           ""}};
}

}  // namespace herald::subjects
