// AccountService: public accounts (公众账号) and their whole lifecycle.
//
//  - Registration (PA-7.1, PA-15.1, PA-6.2, PA-10.1, PA-8.2, PA-8.3): an account belongs to one
//    verified subject, registers one content category, records subject type, places of
//    registration and operation, contact and (organisations) business scope. The operator must
//    have accepted the current service agreement. Names are checked against protected and
//    closed names; "review" decisions and applications beyond the per-subject cap go to the
//    account review queue, "reject" decisions are refused.
//  - Qualifications (PA-5.2, PA-9.1): categories finance, education, medical_health and legal
//    need a professional qualification, news needs the news licence; a moderator approves them;
//    the account may publish in its category only with a valid (approved, unexpired) one.
//  - Public page (PA-9.2, PA17-6): chosen name, avatar, bio, category, badge and the disclosures
//    by subject type, plus the history of subject changes; never the subject's identity.
//  - Lifecycle (PA-8.2, 9.3, 10.2, 11.1, 11.2): explicit audited transitions with reason codes;
//    scheduled jobs (RunJobs) for correction deadlines, inactivity, qualification expiry,
//    cancellation cooling-off and purging; transfer by application; self-service suspension and
//    cancellation.
//
// Statuses: pending_review, active, restricted (visible, may not publish), suspended (visible
// with a notice, may not publish), closed (sanction; terminal; the name is closed forever),
// cancelling (cooling-off), cancelled (hidden; purged after the retention period), rejected
// (registration refused after review).
//
// Errors use stable reasons listed per method. Thread-safe; all state is in the database.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "moderation/screening_service.h"
#include "names/name_checker.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "subjects/subject_service.h"
#include "text/normalizer.h"

namespace herald::accounts {

struct Category {
  std::string id;           // "news", "finance", ...
  std::string name_zh;      // 新闻
  std::string name_en;      // News
  std::string requirement;  // "", "qualification" or "news_licence"
};
const std::vector<Category>& Categories();
const Category* FindCategory(std::string_view id);

// Versioned platform documents (PA-6.2).
inline constexpr std::string_view kServiceAgreement = "service_agreement";
inline constexpr std::string_view kPlatformRules = "platform_rules";
inline constexpr std::string_view kConvention = "convention";
bool IsDocumentKind(std::string_view kind);

struct Document {
  std::string kind;
  int64_t version = 0;
  std::string title;
  std::string body;
  Micros published_at = 0;
};

struct AccountInput {
  int64_t subject_id = 0;
  std::string name;
  std::string bio;
  std::string avatar_media_id;  // optional, from the media store
  std::string avatar_caption;   // optional text shown with the avatar (screened like the bio)
  std::string category;
  std::string registered_place;
  std::string operating_place;
  std::string contact;
  std::string business_scope;  // required for organisations
  std::string cap_reason;      // why this subject needs more accounts than the cap
};

struct AccountUpdate {
  std::optional<std::string> name, bio, avatar_media_id, avatar_caption, operating_place, contact,
      business_scope;
};

struct Qualification {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string kind;  // "professional" | "news_licence"
  std::string licence_number;
  std::string issuer;
  Micros expires_at = 0;
  std::string document_media_id;
  std::string status;  // pending, approved, rejected, revoked, expired
  Micros submitted_at = 0;
  std::optional<Micros> decided_at;
  std::string decision_reason;
};

struct SubjectChange {
  Micros changed_at = 0;
};

struct Account {
  int64_t id = 0;
  int64_t subject_id = 0;
  int64_t owner_user_id = 0;
  std::string subject_kind;  // individual | organisation
  std::string name, bio, avatar_media_id, avatar_caption, category;
  std::string registered_place, operating_place, contact, business_scope;
  std::string status, status_reason;
  Micros status_changed_at = 0;
  std::optional<Micros> correction_due_at, cancel_effective_at;
  std::string badge;               // "", "organisation", "professional", "news"
  bool category_verified = false;  // the category's qualification is valid (or none is needed)
  Micros created_at = 0, last_active_at = 0;
  // Public disclosures (PA-9.2) for organisations.
  std::string org_name, credit_code;
  std::vector<SubjectChange> subject_changes;
  std::vector<Qualification> qualifications;
};

// The platform's refusal of an account's registration in review (review kinds name, over_cap,
// registration_data rejected): its account_events row (the transition to `rejected`).
struct RegistrationRefusal {
  int64_t event_id = 0;
  Micros time = 0;
  std::string actor;        // the moderator who rejected the review item ("user:<id>")
  std::string reason_code;  // "<kind>_rejected"
  std::string note;         // the review reason code and note
};

struct Transfer {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t from_subject_id = 0, to_subject_id = 0;
  std::string status;  // applied, accepted, approved, rejected
  Micros applied_at = 0;
};

// A transfer offered to a user (its transferee subject is theirs), with the account it moves.
struct TransferOffer {
  Transfer transfer;
  std::string account_name, account_status;
  Micros decided_at = 0;  // 0 while applied or accepted
};

struct Notice {
  int64_t id = 0;
  std::optional<int64_t> account_id;
  std::string kind, title, body;
  Micros created_at = 0;
};

struct ProtectedNameEntry {
  int64_t id = 0;
  std::string name, kind;
  std::optional<int64_t> bound_subject_id;
};

struct NamePreview {
  std::string decision;  // allow, review, reject
  std::vector<names::NameMatch> matches;
  std::string reason;
};

struct AccountOptions {
  int cap_individual = 2;
  int cap_organisation = 5;
  // PA-13.1 (issue 6): the number of accounts a subject may hold by its credit level, given the
  // platform's cap above; called in the registration's write transaction
  // (credit::CreditService::AccountCap). Empty: the platform's cap.
  std::function<Result<int>(storage::Transaction&, int64_t subject_id, int platform_cap)>
      subject_cap;
  Micros review_due = 3 * kMicrosPerDay;
  Micros inactivity = 180 * kMicrosPerDay;       // PA-10.2: six months
  Micros inactivity_grace = 30 * kMicrosPerDay;  // notice → suspension
  Micros cancel_cooling_off = 15 * kMicrosPerDay;
  Micros retention = 180 * kMicrosPerDay;  // PA17-16: at least six months
  Micros default_correction = 7 * kMicrosPerDay;
  Micros reverify_after = 365 * kMicrosPerDay;  // PA-9.3: re-check identities yearly
  int reverify_batch = 100;                     // subjects re-checked per job run
};

struct JobReport {
  int corrections_closed = 0;
  int inactivity_notices = 0;
  int inactivity_suspensions = 0;
  int qualifications_expired = 0;
  int cancellations_completed = 0;
  int purged = 0;
  int subjects_reverified = 0;
  int subjects_revoked = 0;
};

// A member of an organisation account (PA-16.1): a verified user acting for the account within
// a role. The owner (the account's owning user) is implicit and never stored here.
inline constexpr std::string_view kRoleOwner = "owner";
inline constexpr std::string_view kRoleEditor = "editor";      // writes and submits drafts
inline constexpr std::string_view kRoleReviewer = "reviewer";  // approves or returns drafts
struct Member {
  int64_t account_id = 0;
  int64_t user_id = 0;
  std::string role;          // editor | reviewer
  std::string display_name;  // the user's display name (never the phone number)
  int64_t added_by = 0;
  Micros added_at = 0;
};

// An organisation account a user works for as a member (not as its owner).
struct Membership {
  Account account;
  std::string role;  // editor | reviewer
  Micros added_at = 0;
};

// A third-party operating agency (代运营机构, PA-16.2) recorded by the account's owner.
struct AgencyInput {
  std::string name;                   // 1..100 characters
  std::string credit_code;            // unified social credit code (GB 32100), checked
  std::string agreement_ref;          // the operating agreement's reference, 1..100 characters
  Micros starts_at = 0, ends_at = 0;  // the agreement's period; ends_at > starts_at
  std::string scope;                  // what the agency does, 1..500 characters
};
struct Agency {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name, credit_code, agreement_ref, scope;
  Micros starts_at = 0, ends_at = 0;
  std::string status;  // active | ended
  int64_t recorded_by = 0;
  Micros recorded_at = 0;
  std::optional<Micros> ended_at;
  std::string end_reason;
};

// Sanction and lifecycle reason codes accepted by SetStatus.
const std::vector<std::string>& ReasonCodes();

class AccountService {
 public:
  AccountService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                 auth::AuthService& auth, subjects::SubjectService& subjects,
                 const text::Normalizer& normalizer, review::ReviewQueue& queue,
                 sanctions::SanctionService& sanctions, AccountOptions options = {},
                 const moderation::ScreeningService* screening = nullptr);

  // --- documents (PA-6.2) ---
  // Current version of every kind.
  Result<std::vector<Document>> CurrentDocuments() const;
  // version 0 = current. NotFound ("document_not_found").
  Result<Document> GetDocument(std::string_view kind, int64_t version) const;
  // Publishes the next version; audited "document.publish".
  Result<Document> PublishDocument(const std::string& actor, std::string_view kind,
                                   std::string_view title, std::string_view body,
                                   const auth::RequestMeta& meta);
  // Records acceptance; FailedPrecondition ("not_current_version") unless `version` is current.
  Status AcceptDocument(int64_t user_id, std::string_view kind, int64_t version,
                        const auth::RequestMeta& meta);
  // Whether the user accepted the current service agreement.
  Result<bool> HasAcceptedCurrentAgreement(int64_t user_id) const;

  // --- names (PA-8.2, 8.3) ---
  Result<NamePreview> CheckName(std::string_view name, std::optional<int64_t> subject_id) const;
  Result<std::vector<ProtectedNameEntry>> ListProtectedNames() const;
  // Adds or replaces entries by name; audited "names.protected.import". Returns the count.
  Result<int> ImportProtectedNames(const std::string& actor,
                                   const std::vector<ProtectedNameEntry>& entries,
                                   const auth::RequestMeta& meta);
  Status DeleteProtectedName(const std::string& actor, int64_t id, const auth::RequestMeta& meta);

  // --- accounts ---
  // Name, bio, avatar caption and business scope pass the platform's screening dictionaries
  // (PA-8.2): a `block` or `replace` term refuses them (illegal_registration_data, with the
  // field); a `review` or `flag` term holds the account in pending_review with a
  // registration_data review item; on Update such a term is refused (registration_data_review).
  // A sanction blocking "register" on the subject or the user refuses Create (sanctioned); one
  // blocking "update_profile" refuses Update.
  // Reasons: subject_not_found, not_subject_owner, agreement_not_accepted, invalid_name,
  // name_taken, name_protected, name_closed, invalid_category, invalid_bio, invalid_place,
  // invalid_contact, business_scope_required, account_cap_reached (with no cap_reason).
  Result<Account> Create(int64_t user_id, const AccountInput& in, const auth::RequestMeta& meta);
  Result<Account> Update(int64_t user_id, int64_t account_id, const AccountUpdate& in,
                         const auth::RequestMeta& meta);
  // NotFound ("account_not_found").
  Result<Account> Get(int64_t id) const;
  Result<std::vector<Account>> ListByOwner(int64_t user_id) const;
  // Publication right for the content module: OK, or FailedPrecondition with
  // account_not_active, agreement_not_accepted, qualification_required, sanctioned (a sanction
  // blocking "publish" on the account, its subject or its owner), publishing_frozen (an
  // emergency freeze of the platform or the account's category).
  Status CheckCanPublish(int64_t account_id) const;
  // The same for an account just loaded (skips loading it again).
  Status CheckCanPublish(const Account& account) const;

  // --- qualifications (PA-5.2, 9.1, 9.3) ---
  Result<Qualification> SubmitQualification(int64_t user_id, int64_t account_id,
                                            const Qualification& in, const auth::RequestMeta& meta);
  Status RevokeQualification(const std::string& actor, int64_t qualification_id,
                             std::string_view reason, const auth::RequestMeta& meta);

  // --- review queue ---
  // Account kinds (name, over_cap, registration_data, qualification, transfer) are held in the
  // platform's review::ReviewQueue; this service registers their decision handlers there.

  // --- sanctions (PA-19.2, PA17-12, GR-11.x) ---
  // Issues a sanction (see sanctions/sanction_service.h) on an account, subject, user or name,
  // fills in the sanctioned party, applies its effect in the same transaction (close_account
  // closes the account and its name forever; ban_name closes the name) and notifies the party.
  // Group targets belong to groups::GroupService (InvalidArgument unsupported_target here).
  // NotFound account_not_found, subject_not_found, user_not_found; FailedPrecondition
  // account_not_active (closing an account that is already closed, cancelled or rejected).
  Result<sanctions::Sanction> IssueSanction(const std::string& actor, sanctions::NewSanction in,
                                            const auth::RequestMeta& meta);
  // Lifts it (staff decision or an appeal upheld) and undoes its effect: a closed account is
  // reopened and its name released. Audited; the party is notified.
  Result<sanctions::Sanction> LiftSanction(const std::string& actor, int64_t sanction_id,
                                           std::string_view reason, const auth::RequestMeta& meta);
  // The effect of LiftSanction for a sanction already lifted in the caller's write
  // transaction (an appeal overturned it): reopens a closed account, releases a banned name,
  // notifies the party.
  Status UndoSanction(storage::Transaction& tx, const sanctions::Sanction& lifted,
                      const std::string& actor, const auth::RequestMeta& meta);
  // Sanctions whose party is `user_id` (their accounts, subjects, themselves), newest first.
  Result<std::vector<sanctions::Sanction>> SanctionsOf(int64_t user_id, int limit) const;
  // Whether `function` (sanctions::Functions()) is open to the account: OK, or
  // FailedPrecondition sanctioned (a sanction on the account, its subject or its owner) or
  // account_not_active.
  Status CheckAllowed(int64_t account_id, std::string_view function) const;
  // For modules that act on accounts in their own transaction (content): the account, its
  // publication right and a function's availability, and a notice to a user.
  Result<Account> Get(storage::Transaction& tx, int64_t id) const { return Load(tx, id); }
  Status CheckCanPublishIn(storage::Transaction& tx, const Account& account) const {
    return CheckCanPublish(tx, account);
  }
  Status CheckAllowedIn(storage::Transaction& tx, const Account& account,
                        std::string_view function) const;
  Status AddNotice(storage::Transaction& tx, int64_t user_id, std::optional<int64_t> account_id,
                   std::string_view kind, std::string_view title, std::string_view body);

  // --- the appeal channel (appeals::AppealService), in the caller's transaction ---
  // The refusal of the account's registration (status rejected). NotFound account_not_found;
  // FailedPrecondition registration_not_rejected (the account is not rejected).
  Result<RegistrationRefusal> RegistrationRefusalIn(storage::Transaction& tx,
                                                    int64_t account_id) const;
  // An appeal overturned that refusal: the account takes the state approving the refused item
  // would have given it — `active` (event reason appeal_overturned, the owner notified
  // registration_approved), or `pending_review` while another registration item of it is still
  // open (those items decide it as usual), or when its subject has meanwhile reached the account
  // cap (a new over_cap item is queued: the cap is a separate decision). Audited
  // "account.status". Refused, changing nothing, when it cannot be given back safely:
  // AlreadyExists name_taken (another account registered the name meanwhile),
  // FailedPrecondition name_closed / name_protected (the name may no longer be registered),
  // subject_not_verified (the subject lost its verification), registration_not_rejected.
  Result<Account> ReinstateRegistrationIn(storage::Transaction& tx, int64_t account_id,
                                          std::string_view reason, const std::string& actor,
                                          const std::string& request_id);

  // Active sanctions on the account, its subject or its owner, newest first (the operator's
  // view of "what is restricted and why").
  Result<std::vector<sanctions::Sanction>> ActiveSanctions(const Account& account) const;

  // --- lifecycle by the platform (PA-8.2, 9.3, 11.1) ---
  // to: active, restricted, suspended, closed. reason_code from ReasonCodes(). correction
  // deadline only with suspended (then the job closes the account when it passes).
  // FailedPrecondition ("invalid_transition").
  Result<Account> SetStatus(const std::string& actor, int64_t account_id, std::string_view to,
                            std::string_view reason_code, std::string_view note,
                            std::optional<Micros> correction_due_at, const auth::RequestMeta& meta);

  // --- self-service (PA-11.2, PA17-9) ---
  Result<Account> SelfSuspend(int64_t user_id, int64_t account_id, const auth::RequestMeta& meta);
  Result<Account> SelfResume(int64_t user_id, int64_t account_id, const auth::RequestMeta& meta);
  Result<Account> RequestCancellation(int64_t user_id, int64_t account_id,
                                      const auth::RequestMeta& meta);
  Result<Account> WithdrawCancellation(int64_t user_id, int64_t account_id,
                                       const auth::RequestMeta& meta);

  // --- transfer (PA-11.1) ---
  Result<Transfer> ApplyTransfer(int64_t user_id, int64_t account_id, int64_t to_subject_id,
                                 const auth::RequestMeta& meta);
  Result<Transfer> AcceptTransfer(int64_t user_id, int64_t transfer_id,
                                  const auth::RequestMeta& meta);
  // The owner of the transferee subject declines an offer still `applied`: the transfer ends
  // `rejected` (decided_by the user), the applicant is notified. Audited "transfer.decline".
  // NotFound transfer_not_found; PermissionDenied not_transferee; FailedPrecondition
  // invalid_transition (accepted, approved or rejected already).
  Result<Transfer> DeclineTransfer(int64_t user_id, int64_t transfer_id,
                                   const auth::RequestMeta& meta);
  // Transfers whose transferee subject belongs to `user_id` (offers to them), newest first, at
  // most `limit` (the API passes 1..200).
  Result<std::vector<TransferOffer>> TransfersTo(int64_t user_id, int limit) const;

  // --- re-verification (PA-9.3) ---
  // Re-checks one subject now (a trigger: a report, a moderator's doubt). When the identity no
  // longer verifies, the subject is revoked and each of its active accounts is restricted with
  // reason registration_data_mismatch (the operator is notified and may appeal).
  Result<subjects::Subject> ReverifySubject(const std::string& actor, int64_t subject_id,
                                            const auth::RequestMeta& meta);

  // --- members of organisation accounts (PA-16.1; account_members.cc) ---
  // The owner adds a verified user (active, with a verified subject) as `role` (editor or
  // reviewer). Audited "account.member.add". NotFound account_not_found, user_not_found;
  // PermissionDenied not_account_owner; FailedPrecondition not_organisation_account,
  // user_not_verified; InvalidArgument invalid_member_role, member_is_owner; AlreadyExists
  // member_exists.
  Result<Member> AddMember(int64_t owner_user_id, int64_t account_id, int64_t user_id,
                           std::string_view role, const auth::RequestMeta& meta);
  // Audited "account.member.remove". NotFound member_not_found; PermissionDenied
  // not_account_owner.
  Status RemoveMember(int64_t owner_user_id, int64_t account_id, int64_t user_id,
                      const auth::RequestMeta& meta);
  // Oldest first. NotFound account_not_found.
  Result<std::vector<Member>> ListMembers(int64_t account_id) const;
  // The user's role in the account: "owner", "editor", "reviewer", or "" (none).
  Result<std::string> RoleIn(storage::Transaction& tx, const Account& account,
                             int64_t user_id) const;
  Result<std::string> RoleOf(int64_t account_id, int64_t user_id) const;
  // The accounts `user_id` is a member of (editor or reviewer; owned accounts are not listed),
  // oldest membership first.
  Result<std::vector<Membership>> ListMemberships(int64_t user_id) const;

  // --- third-party operating agencies (PA-16.2; account_members.cc) ---
  // By the owner; audited "account.agency.record". InvalidArgument invalid_agency_name,
  // invalid_agreement_ref, invalid_scope, invalid_period and the credit-code reasons of
  // identity/id_numbers.h (field credit_code); PermissionDenied not_account_owner.
  Result<Agency> RecordAgency(int64_t owner_user_id, int64_t account_id, const AgencyInput& in,
                              const auth::RequestMeta& meta);
  // Newest first, every status (the owner and staff).
  Result<std::vector<Agency>> ListAgencies(int64_t account_id) const;
  // The owner ends an active agency now. Audited "account.agency.end". NotFound
  // agency_not_found; FailedPrecondition agency_ended; InvalidArgument invalid_reason.
  Result<Agency> EndAgency(int64_t owner_user_id, int64_t account_id, int64_t agency_id,
                           std::string_view reason, const auth::RequestMeta& meta);

  // --- notices ---
  Result<std::vector<Notice>> ListNotices(int64_t user_id, int limit) const;

  // --- scheduled jobs (PA-8.2, 9.3, 10.2, PA17-9) ---
  Result<JobReport> RunJobs(const auth::RequestMeta& meta);

  static std::vector<storage::Migration> Migrations();
  static std::vector<storage::Migration> MemberMigrations();  // account_members.cc

 private:
  Result<Account> Load(storage::Transaction& tx, int64_t id) const;
  Result<Account> LoadOwned(storage::Transaction& tx, int64_t user_id, int64_t id) const;
  Status Transition(storage::Transaction& tx, const Account& a, std::string_view to,
                    std::string_view reason, std::string_view note, const std::string& actor,
                    const auth::RequestMeta& meta);
  Result<std::unique_ptr<names::NameChecker>> BuildChecker(storage::Transaction& tx) const;
  Result<NamePreview> CheckNameIn(storage::Transaction& tx, std::string_view name,
                                  std::optional<int64_t> subject_id) const;
  Status AddReview(storage::Transaction& tx, std::string_view kind, int64_t account_id,
                   int64_t ref_id, const std::string& detail);
  Status ApplyReviewDecision(storage::Transaction& tx, const review::Item& item);
  static std::vector<sanctions::Target> SanctionTargets(const Account& a);
  Status RecordStatusSanction(storage::Transaction& tx, const Account& a, std::string_view to,
                              std::string_view reason_code, const std::string& note,
                              const std::string& actor, const auth::RequestMeta& meta);
  Result<int64_t> CurrentVersion(storage::Transaction& tx, std::string_view kind) const;
  Result<bool> AcceptedCurrentAgreement(storage::Transaction& tx, int64_t user_id) const;
  Status CheckCanPublish(storage::Transaction& tx, const Account& account) const;
  Status RestrictAccountsOf(int64_t subject_id, const std::string& actor,
                            const auth::RequestMeta& meta);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  auth::AuthService& auth_;
  subjects::SubjectService& subjects_;
  const text::Normalizer& normalizer_;
  review::ReviewQueue& queue_;
  sanctions::SanctionService& sanctions_;
  AccountOptions options_;
  const moderation::ScreeningService* screen_;
};

}  // namespace herald::accounts
