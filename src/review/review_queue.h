// ReviewQueue: the one queue of held items that moderators work (PA-19.1, PA-6.1).
//
// Every module that holds something for a human decision — account names, registration data,
// qualification documents, transfers, content, near-duplicate clusters, reports — enqueues an
// Item here, inside its own write transaction, and registers a Handler for its kinds. Deciding
// an item runs the kind's handler in the same transaction as the decision record and the
// audit entry, so a decision and its effect (an account activated, an article released) land
// together or not at all.
//
// Lifecycle of an item:
//   pending ──claim──> claimed ──release / claim expiry──> pending
//      │                  │
//      ├──escalate────────┴──> escalated   (to the content security officer)
//      └──decide──> approved | rejected    (terminal)
// Anyone with the review permission may decide a pending item, or a claimed one they hold, or
// one whose claim has expired (Options::claim_ttl). Escalated items are decided only by callers
// that pass `may_decide_escalated` (the content security officer). Escalation records who and
// why; the handler runs only for approve/reject.
//
// Due times: every item gets due_at = created_at + Options::due_for(kind) (configurable per
// kind); an item is overdue when it is still open (pending, claimed, escalated) after due_at.
//
// Reason codes (DecisionReasons()) are stable strings; a rejection needs one that is not
// "compliant", an approval one of the approval codes.
//
// Errors (stable reasons): NotFound review_not_found; FailedPrecondition already_decided,
// claimed_by_other, escalated_needs_cso, already_escalated, not_claimed; InvalidArgument
// invalid_decision, invalid_reason_code, invalid_note, invalid_filter.
// Thread-safe after the handlers are registered (register them all before serving).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::review {

struct NewItem {
  std::string kind;      // e.g. "name", "qualification", "content", "cluster", "report"
  std::string category;  // e.g. the content category or the matched term's category; may be ""
  int severity = 2;      // 1 low, 2 normal, 3 high, 4 critical
  std::optional<int64_t> account_id;  // the account concerned, if any
  int64_t ref_id = 0;                 // the kind's own record (qualification id, cluster id, ...)
  std::string summary;                // one line for the list view
  std::string detail = "{}";          // a JSON object text with whatever the reviewer needs
  std::optional<Micros> due_at;       // overrides created_at + Options::due_for(kind)
};

struct Item {
  int64_t id = 0;
  std::string kind, category;
  int severity = 2;
  std::optional<int64_t> account_id;
  int64_t ref_id = 0;
  std::string summary, detail;
  std::string status;  // pending, claimed, escalated, approved, rejected
  Micros created_at = 0, due_at = 0;
  std::string claimed_by;
  std::optional<Micros> claimed_at;
  std::string escalated_by, escalation_note;
  std::optional<Micros> escalated_at;
  std::string decided_by, decision, reason_code, note;  // decision: approve | reject
  std::optional<Micros> decided_at;

  bool open() const { return status == "pending" || status == "claimed" || status == "escalated"; }
  bool overdue(Micros now) const { return open() && now > due_at; }
};

// Stable reason codes for decisions.
struct ReasonCode {
  std::string code;
  std::string decision;  // "approve" or "reject"
  std::string label_zh, label_en;
};
const std::vector<ReasonCode>& DecisionReasons();

struct Filter {
  std::vector<std::string> kinds;  // empty: all
  std::string status = "open";     // open, pending, claimed, escalated, decided, approved,
                                   // rejected, all
  std::string category;            // exact, empty: all
  int min_severity = 0;
  bool overdue_only = false;
  std::optional<Micros> created_before;  // age filter: items older than this
  std::optional<int64_t> account_id;
  std::string claimed_by;           // exact, empty: any
  int limit = 100;                  // 1..500
  std::optional<int64_t> after_id;  // cursor: continue after this id (ordering by due_at, id)
};

struct KindSummary {
  std::string kind;
  int64_t open = 0, overdue = 0, escalated = 0;
  std::optional<Micros> oldest_due_at;
};

struct Options {
  Micros default_due = 24 * kMicrosPerHour;
  std::map<std::string, Micros, std::less<>> due_by_kind;  // overrides per kind
  Micros claim_ttl = 30 * kMicrosPerMinute;
  Micros due_for(std::string_view kind) const {
    auto it = due_by_kind.find(kind);
    return it == due_by_kind.end() ? default_due : it->second;
  }
};

// Runs inside the decision's transaction. `item` carries the decision, reason_code, note,
// decided_by and decided_at already set. An error aborts the whole decision.
using Handler = std::function<Status(storage::Transaction& tx, const Item& item)>;

struct RequestInfo {       // who is asking, for the audit entry
  std::string actor;       // "user:<id>"
  std::string request_id;  // "" outside a request
};

class ReviewQueue {
 public:
  ReviewQueue(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
              Options options = {});

  // Registers the handler for `kind` (replacing any earlier one). Not thread-safe: call before
  // serving.
  void RegisterHandler(std::string kind, Handler handler);
  // Registers work to run after a decision on `kind` has committed (e.g. dropping rejected
  // content from an in-memory index that has its own transactions). Its error does not undo the
  // decision; Decide still returns the item. Not thread-safe: call before serving.
  void RegisterAfterCommit(std::string kind, std::function<void(const Item&)> fn);

  // Enqueues in the caller's write transaction; returns the new item id. InvalidArgument for
  // an empty kind, a severity outside 1..4 or a detail that is not a JSON object text.
  Result<int64_t> Enqueue(storage::Transaction& tx, const NewItem& item) const;

  // Sets the severity (1..4) and due time of an open item in the caller's transaction (reports
  // re-weigh their item as reports attach). FailedPrecondition already_decided when decided.
  Status Reprioritise(storage::Transaction& tx, int64_t id, int severity, Micros due_at) const;

  Result<Item> Get(int64_t id) const;
  Result<std::vector<Item>> List(const Filter& filter) const;
  // Open and overdue counts per kind, for the console's header.
  Result<std::vector<KindSummary>> Summary() const;
  // Open items of `kind` concerning `account_id` (used by handlers to decide whether an
  // account still waits for something).
  Result<int64_t> CountOpen(storage::Transaction& tx, int64_t account_id,
                            const std::vector<std::string>& kinds) const;

  // Every item of `kind` about record `ref_id`, oldest first (an appeal finds who decided).
  Result<std::vector<Item>> ItemsFor(storage::Transaction& tx, std::string_view kind,
                                     int64_t ref_id) const;

  Result<Item> Claim(int64_t id, const RequestInfo& who);
  Result<Item> Release(int64_t id, const RequestInfo& who);
  Result<Item> Escalate(int64_t id, std::string_view note, const RequestInfo& who);
  // decision: "approve" | "reject"; reason_code from DecisionReasons() matching the decision.
  Result<Item> Decide(int64_t id, std::string_view decision, std::string_view reason_code,
                      std::string_view note, bool may_decide_escalated, const RequestInfo& who);
  // Decide inside the caller's write transaction, for a module whose own decision record must
  // land together with the item's (appeals): the same checks, handler and audit entry as
  // Decide, but the after-commit work (RegisterAfterCommit) is not run.
  Result<Item> DecideIn(storage::Transaction& tx, int64_t id, std::string_view decision,
                        std::string_view reason_code, std::string_view note,
                        bool may_decide_escalated, const RequestInfo& who) const;

  static std::vector<storage::Migration> Migrations();

 private:
  Result<Item> Load(storage::Transaction& tx, int64_t id) const;
  Status CheckHolder(const Item& item, const std::string& actor, Micros now) const;

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Options options_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::map<std::string, std::function<void(const Item&)>, std::less<>> after_commit_;
};

}  // namespace herald::review
