// SanctionService: one sanction model for accounts, subjects, people, groups and names
// (PA-19.2, PA17-12, GR-11.1, GR-11.2, GR-11.3), and the content security officer's publishing
// freezes (PA-6.1).
//
// A sanction is a measure against a target:
//   warning           nothing is blocked; recorded and shown to the sanctioned party
//   restrict          one function blocked (Functions(): publish, comment, advertise,
//                     create_group, group_admin, group_post, group_join, update_profile,
//                     register)
//   suspend_updates   publish, update_profile, advertise and group_post blocked
//   stop_advertising  advertise blocked
//   close_account     every function blocked (the account is closed by the caller; its name is
//                     closed forever)
//   close_group       every function blocked (the group is closed by the caller; groups only)
//   blacklist         every function blocked, and for a subject: new subjects with the same
//                     identity (blind index) or accounts of it are refused
//   ban_name          the name (target type "name") can never be registered again
// with a reason code (ReasonCodes()), evidence references ("article:12", "media:<id>", URLs), a
// start, an end (none = permanent), the issuer, and whether it may be appealed. Sanctions expire
// by themselves: a sanction is active while starts_at <= now < ends_at (per the injected Clock)
// and it has not been lifted (an appeal overturned it, or staff lifted it). Nothing is ever
// deleted: the record is what the regulator receives (IssuedBetween, reported by
// `herald report sanctions` and GET /api/v1/reports/sanctions).
//
// Enforcement: write paths call CheckAllowed with every target that stands behind the action
// (the account, its subject, the acting user, the group) and the function; any active sanction
// blocking that function refuses with FailedPrecondition reason "sanctioned" and a message that
// names the measure, the reason code and when it ends.
//
// Freezes (PA-6.1 emergency response): publishing stopped platform-wide or for one content
// category, with immediate effect, until lifted or until their end. CheckPublishingOpen refuses
// with FailedPrecondition "publishing_frozen".
//
// Observers (issue 6: credit, grades, appeals, rumours): OnIssued and OnLifted register hooks
// that run inside the issuing or lifting transaction, after the row and its audit record are
// written, in registration order. A hook's error aborts the operation (the caller's transaction
// is then rolled back by the caller). Register every hook before the service is shared between
// threads (in the composition root, before serving); registration is not thread-safe, calling
// the hooks is. Expiry is not an event: a sanction that runs out calls no hook.
//
// Lifting: Lift(tx, id, reason, who) is a plain lift (staff ended it early); Lift(..., kind)
// with LiftKind::kOverturned records that the sanction was overturned (e.g. on appeal):
// Sanction::overturned is then true, the audit record says so, and OnLifted hooks receive
// overturned = true (credit reverses its deduction only then).
//
// Errors: InvalidArgument invalid_target, invalid_measure, invalid_function, invalid_reason_code,
// invalid_period, invalid_evidence, invalid_note, invalid_scope, invalid_category; NotFound
// sanction_not_found, freeze_not_found; FailedPrecondition already_lifted.
// Thread-safe; all state is in the database. Every Issue/Lift/StartFreeze/LiftFreeze is audited
// in the caller's transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::sanctions {

// Stable names.
const std::vector<std::string>& Measures();
const std::vector<std::string>& Functions();
const std::vector<std::string>& TargetTypes();  // account, subject, user, group, name
struct ReasonCode {
  std::string code, label_zh, label_en;
};
const std::vector<ReasonCode>& ReasonCodes();
// The functions `measure` blocks (`function` is the restricted one for "restrict").
std::vector<std::string> BlockedFunctions(std::string_view measure, std::string_view function);

struct Target {
  std::string type;  // TargetTypes()
  int64_t id = 0;    // for account, subject, user, group
  std::string name;  // for name
  bool operator==(const Target&) const = default;
};
std::string TargetRef(const Target& t);  // "account:12", "name:某某"

struct NewSanction {
  Target target;
  std::string measure;
  std::string function;  // only for restrict
  std::string reason_code;
  std::string note;                   // 0..1000 characters, shown to the party
  std::vector<std::string> evidence;  // 0..20 references of 1..500 characters
  std::optional<Micros> starts_at;    // default: now
  std::optional<Micros> ends_at;      // none: permanent
  bool appealable = true;
  // The sanctioned party, for their view and notices (filled in by the caller).
  std::optional<int64_t> party_user_id, account_id, subject_id;
};

struct Sanction {
  int64_t id = 0;
  Target target;
  std::string measure, function, reason_code, note;
  std::vector<std::string> evidence;
  Micros starts_at = 0;
  std::optional<Micros> ends_at;
  bool appealable = true;
  std::string issued_by;
  Micros issued_at = 0;
  std::optional<int64_t> party_user_id, account_id, subject_id;
  std::optional<Micros> lifted_at;
  std::string lifted_by, lift_reason;
  bool overturned = false;  // lifted as overturned (LiftKind::kOverturned)

  // "scheduled", "active", "expired" or "lifted" at `now`.
  std::string StatusAt(Micros now) const;
  bool ActiveAt(Micros now) const { return StatusAt(now) == "active"; }
};

struct ListFilter {
  std::optional<int64_t> party_user_id, account_id, subject_id;
  std::optional<Target> target;
  std::string measure;  // exact, empty: any
  bool active_only = false;
  std::optional<Micros> issued_from, issued_to;  // [from, to)
  int limit = 100;                               // 1..1000
  std::optional<int64_t> before_id;              // cursor: newest first, ids below this
};

struct Freeze {
  int64_t id = 0;
  std::string scope;     // "platform" | "category"
  std::string category;  // for scope category
  std::string reason;
  std::string started_by;
  Micros started_at = 0;
  std::optional<Micros> ends_at;
  std::optional<Micros> lifted_at;
  std::string lifted_by;
  bool ActiveAt(Micros now) const {
    return !lifted_at && started_at <= now && (!ends_at || now < *ends_at);
  }
};

struct Actor {
  std::string actor;       // "user:<id>", "cli", "system"
  std::string request_id;  // "" outside a request
};

// How a sanction ends early: lifted by staff, or overturned (e.g. an appeal was upheld).
enum class LiftKind { kLifted, kOverturned };

// Observers; see the header comment. Called with the sanction as stored after the change.
using IssuedHook = std::function<Status(storage::Transaction&, const Sanction&)>;
using LiftedHook = std::function<Status(storage::Transaction&, const Sanction&, bool overturned)>;

class SanctionService {
 public:
  SanctionService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock)
      : db_(db), audit_(audit), clock_(clock) {}

  // The checks of Issue without writing anything (callers validate before loading targets).
  Status Validate(const NewSanction& in) const;
  // Validates and records `in` in the caller's write transaction; audited "sanction.issue".
  // The caller applies side effects (closing an account, notices) in the same transaction.
  // Runs the OnIssued hooks in `tx`; a hook's error is returned.
  Result<Sanction> Issue(storage::Transaction& tx, const NewSanction& in, const Actor& who) const;
  // Ends a sanction now; audited "sanction.lift" (details carry "overturned": true for
  // kOverturned). FailedPrecondition already_lifted. Runs the OnLifted hooks in `tx`.
  Result<Sanction> Lift(storage::Transaction& tx, int64_t id, std::string_view reason,
                        const Actor& who) const {
    return Lift(tx, id, reason, who, LiftKind::kLifted);
  }
  Result<Sanction> Lift(storage::Transaction& tx, int64_t id, std::string_view reason,
                        const Actor& who, LiftKind kind) const;

  // Register observers (before serving). Issue runs the OnIssued hooks in its transaction
  // after recording the sanction; Lift runs the OnLifted hooks likewise.
  void OnIssued(IssuedHook hook) { issued_hooks_.push_back(std::move(hook)); }
  void OnLifted(LiftedHook hook) { lifted_hooks_.push_back(std::move(hook)); }
  Result<Sanction> Get(storage::Transaction& tx, int64_t id) const;
  Result<Sanction> Get(int64_t id) const;
  Result<std::vector<Sanction>> List(const ListFilter& filter) const;
  // Every sanction issued in [from, to), oldest first, for the regulator's report.
  Result<std::vector<Sanction>> IssuedBetween(Micros from, Micros to) const;

  // Active sanctions against any of `targets`, newest first.
  Result<std::vector<Sanction>> ActiveFor(storage::Transaction& tx,
                                          const std::vector<Target>& targets) const;
  // OK, or FailedPrecondition "sanctioned" when an active sanction on any of `targets` blocks
  // `function`.
  Status CheckAllowed(storage::Transaction& tx, const std::vector<Target>& targets,
                      std::string_view function) const;
  // Ids of `type` targets under an active `measure` (e.g. blacklisted subjects).
  Result<std::vector<int64_t>> ActiveTargetIds(storage::Transaction& tx, std::string_view type,
                                               std::string_view measure) const;

  // --- freezes (PA-6.1) ---
  // scope "platform" (category must be empty) or "category". Audited "emergency.freeze".
  Result<Freeze> StartFreeze(std::string_view scope, std::string_view category,
                             std::string_view reason, std::optional<Micros> ends_at,
                             const Actor& who);
  // Audited "emergency.unfreeze". FailedPrecondition already_lifted.
  Result<Freeze> LiftFreeze(int64_t id, const Actor& who);
  Result<std::vector<Freeze>> ListFreezes(bool active_only) const;
  // OK, or FailedPrecondition "publishing_frozen" when the platform or `category` is frozen.
  Status CheckPublishingOpen(storage::Transaction& tx, std::string_view category) const;

  static std::vector<storage::Migration> Migrations();

 private:
  struct Prepared {
    std::string name, note, evidence;
    Micros starts = 0, now = 0;
  };
  Result<Prepared> Prepare(const NewSanction& in) const;

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  std::vector<IssuedHook> issued_hooks_;
  std::vector<LiftedHook> lifted_hooks_;
};

}  // namespace herald::sanctions
