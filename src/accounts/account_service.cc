#include "accounts/account_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::accounts {

namespace {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

constexpr std::string_view kAccountColumns =
    "a.id, a.subject_id, a.owner_user_id, s.kind, a.name, a.bio, a.avatar_media_id, a.category, "
    "a.registered_place, a.operating_place, a.contact, a.business_scope, a.status, "
    "a.status_reason, a.status_changed_at, a.correction_due_at, a.cancel_effective_at, "
    "a.created_at, a.last_active_at, s.org_name, s.credit_code, a.avatar_caption";

std::string Str(int64_t v) { return std::to_string(v); }
std::string AccountRef(int64_t id) { return "account:" + Str(id); }
std::string UserActor(int64_t id) { return "user:" + Str(id); }

Value OptTime(const std::optional<Micros>& t) { return t ? Value(*t) : Value(); }
std::optional<Micros> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

// A text field of min..max characters (core/strings.h).
Result<std::string> CheckText(std::string_view in, size_t min_chars, size_t max_chars,
                              const std::string& reason, const std::string& field,
                              bool multiline = false) {
  return CheckTextField(in, min_chars, max_chars, reason, field, multiline);
}

Status CheckMediaId(const std::string& id, const std::string& field) {
  if (id.empty()) return Status();
  if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return InvalidArgument(field + " must be a media id from POST /api/v1/media",
                           "invalid_media_id", field);
  }
  return Status();
}

// Registration data (PA-8.2) through the platform's screening dictionaries, stricter than
// content: a `block` or `replace` match refuses the field (InvalidArgument
// illegal_registration_data); a `review` or `flag` match holds it for review (*review_term set to
// the first such term). Text that is not valid UTF-8 never reaches here (CheckText).
Status ScreenField(const moderation::ScreeningService* screening, std::string_view text,
                   const std::string& field, std::string* review_term) {
  if (!screening || text.empty()) return Status();
  HERALD_ASSIGN_OR_RETURN(moderation::ScreenResult r, screening->Screen(text));
  for (const auto& m : r.matches) {
    if (m.action == moderation::Action::kBlock || m.action == moderation::Action::kReplace) {
      return InvalidArgument(
          field + " contains content that may not be registered (" + m.category + ")",
          "illegal_registration_data", field);
    }
  }
  for (const auto& m : r.matches) {
    if (review_term && review_term->empty()) *review_term = m.term;
  }
  return Status();
}

bool Sanctioned(std::string_view status) {
  return status == "restricted" || status == "suspended" || status == "closed";
}

}  // namespace

const std::vector<Category>& Categories() {
  static const std::vector<Category> all = {
      {"news", "新闻资讯", "News", "news_licence"},
      {"politics_society", "时政社会", "Politics & society", ""},
      {"finance", "财经金融", "Finance", "qualification"},
      {"education", "教育", "Education", "qualification"},
      {"medical_health", "医疗健康", "Medical & health", "qualification"},
      {"legal", "法律", "Legal", "qualification"},
      {"technology", "科技", "Technology", ""},
      {"culture", "文化", "Culture", ""},
      {"entertainment", "娱乐", "Entertainment", ""},
      {"lifestyle", "生活", "Lifestyle", ""},
      {"sports", "体育", "Sports", ""},
      {"travel", "旅游", "Travel", ""},
      {"food", "美食", "Food", ""},
      {"automotive", "汽车", "Automotive", ""},
      {"gaming", "游戏", "Gaming", ""},
      {"parenting", "育儿", "Parenting", ""},
  };
  return all;
}

const Category* FindCategory(std::string_view id) {
  for (const auto& c : Categories()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool IsDocumentKind(std::string_view kind) {
  return kind == kServiceAgreement || kind == kPlatformRules || kind == kConvention;
}

const std::vector<std::string>& ReasonCodes() {
  static const std::vector<std::string> codes = {"impersonation",
                                                 "registration_data_mismatch",
                                                 "illegal_registration_data",
                                                 "illegal_content",
                                                 "unapproved_transfer",
                                                 "inactivity",
                                                 "qualification_invalid",
                                                 "fake_traffic",
                                                 "spam",
                                                 "reinstated",
                                                 "correction_overdue",
                                                 "other"};
  return codes;
}

AccountService::AccountService(storage::Database& db, const audit::AuditLog& audit,
                               const Clock& clock, auth::AuthService& auth,
                               subjects::SubjectService& subjects,
                               const text::Normalizer& normalizer, review::ReviewQueue& queue,
                               sanctions::SanctionService& sanctions, AccountOptions options,
                               const moderation::ScreeningService* screening)
    : db_(db),
      audit_(audit),
      clock_(clock),
      auth_(auth),
      subjects_(subjects),
      normalizer_(normalizer),
      queue_(queue),
      sanctions_(sanctions),
      options_(options),
      screen_(screening) {
  for (const char* kind : {"name", "over_cap", "registration_data", "qualification", "transfer"}) {
    queue_.RegisterHandler(kind, [this](Transaction& tx, const review::Item& item) {
      return ApplyReviewDecision(tx, item);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Documents

Result<int64_t> AccountService::CurrentVersion(Transaction& tx, std::string_view kind) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT MAX(version) FROM documents WHERE kind = ?",
                                              {std::string(kind)}));
  return rows.rows[0].Int(0);
}

Result<std::vector<Document>> AccountService::CurrentDocuments() const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT d.kind, d.version, d.title, d.body, d.published_at FROM "
                           "documents d WHERE d.version = (SELECT MAX(version) FROM documents x "
                           "WHERE x.kind = d.kind) ORDER BY d.kind"));
  std::vector<Document> out;
  for (const auto& r : rows.rows) {
    out.push_back({r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4)});
  }
  return out;
}

Result<Document> AccountService::GetDocument(std::string_view kind, int64_t version) const {
  if (!IsDocumentKind(kind)) return NotFound("no such document", "document_not_found");
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  if (version == 0) {
    HERALD_ASSIGN_OR_RETURN(version, CurrentVersion(*tx, kind));
  }
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT kind, version, title, body, published_at FROM documents "
                           "WHERE kind = ? AND version = ?",
                           {std::string(kind), version}));
  if (rows.empty()) return NotFound("no such document version", "document_not_found");
  const auto& r = rows.rows[0];
  return Document{r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4)};
}

Result<Document> AccountService::PublishDocument(const std::string& actor, std::string_view kind,
                                                 std::string_view title_in,
                                                 std::string_view body_in,
                                                 const auth::RequestMeta& meta) {
  if (!IsDocumentKind(kind)) {
    return InvalidArgument("kind must be service_agreement, platform_rules or convention",
                           "invalid_document_kind", "kind");
  }
  HERALD_ASSIGN_OR_RETURN(std::string title, CheckText(title_in, 1, 100, "invalid_title", "title"));
  HERALD_ASSIGN_OR_RETURN(std::string body,
                          CheckText(body_in, 1, 100000, "invalid_body_text", "body", true));
  Document doc;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    HERALD_RETURN_IF_ERROR(tx.LockExclusive("documents"));
    HERALD_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(tx, kind));
    doc = Document{std::string(kind), current + 1, title, body, clock_.Now()};
    HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO documents (kind, version, title, body, "
                                      "published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)",
                                      {doc.kind, doc.version, title, body, doc.published_at, actor})
                               .status());
    return audit_
        .Append(tx, audit::NewEntry{actor, "document.publish", "document:" + doc.kind,
                                    JsonObjectWriter()
                                        .Add("kind", doc.kind)
                                        .Add("version", doc.version)
                                        .Add("title", title)
                                        .Add("sha256", crypto::Sha256Hex(body))
                                        .str(),
                                    meta.request_id})
        .status();
  }));
  return doc;
}

Status AccountService::AcceptDocument(int64_t user_id, std::string_view kind, int64_t version,
                                      const auth::RequestMeta& meta) {
  if (!IsDocumentKind(kind)) return NotFound("no such document", "document_not_found");
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(tx, kind));
    if (version != current) {
      return FailedPrecondition("only the current version (" + Str(current) + ") can be accepted",
                                "not_current_version", "version");
    }
    HERALD_ASSIGN_OR_RETURN(
        int64_t n, tx.Execute("INSERT INTO document_acceptances (user_id, kind, version, "
                              "accepted_at, client) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, "
                              "kind, version) DO NOTHING",
                              {user_id, std::string(kind), version, clock_.Now(), meta.client}));
    if (n == 0) return Status();
    return audit_
        .Append(
            tx,
            audit::NewEntry{UserActor(user_id), "document.accept", "document:" + std::string(kind),
                            JsonObjectWriter().Add("kind", kind).Add("version", version).str(),
                            meta.request_id})
        .status();
  });
}

Result<bool> AccountService::AcceptedCurrentAgreement(Transaction& tx, int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT COUNT(*) FROM document_acceptances WHERE user_id = ? AND kind = ? AND "
               "version = (SELECT MAX(version) FROM documents WHERE kind = ?)",
               {user_id, std::string(kServiceAgreement), std::string(kServiceAgreement)}));
  return rows.rows[0].Int(0) > 0;
}

Result<bool> AccountService::HasAcceptedCurrentAgreement(int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return AcceptedCurrentAgreement(*tx, user_id);
}

// ---------------------------------------------------------------------------------------------
// Names

Result<std::unique_ptr<names::NameChecker>> AccountService::BuildChecker(Transaction& tx) const {
  HERALD_ASSIGN_OR_RETURN(auto prot,
                          tx.Query("SELECT name, kind, bound_subject_id FROM protected_names"));
  std::vector<names::ProtectedName> protected_names;
  for (const auto& r : prot.rows) {
    names::ProtectedName p;
    p.name = r.Text(0);
    p.kind = r.Text(1);
    if (!r.IsNull(2)) p.bound_subject_id = r.Int(2);
    protected_names.push_back(std::move(p));
  }
  HERALD_ASSIGN_OR_RETURN(auto closed, tx.Query("SELECT name FROM closed_names"));
  std::vector<std::string> closed_names;
  for (const auto& r : closed.rows) closed_names.push_back(r.Text(0));
  HERALD_ASSIGN_OR_RETURN(
      names::NameChecker checker,
      names::NameChecker::Create(normalizer_, std::move(protected_names), std::move(closed_names)));
  return std::make_unique<names::NameChecker>(std::move(checker));
}

Result<NamePreview> AccountService::CheckNameIn(Transaction& tx, std::string_view name,
                                                std::optional<int64_t> subject_id) const {
  HERALD_ASSIGN_OR_RETURN(auto checker, BuildChecker(tx));
  names::NameCheck c = checker->Check(name, subject_id);
  NamePreview p;
  p.decision = c.decision == names::Decision::kReject   ? "reject"
               : c.decision == names::Decision::kReview ? "review"
                                                        : "allow";
  p.matches = c.matches;
  p.reason = c.reason;
  return p;
}

Result<NamePreview> AccountService::CheckName(std::string_view name,
                                              std::optional<int64_t> subject_id) const {
  HERALD_ASSIGN_OR_RETURN(std::string n, CheckText(name, 2, 30, "invalid_name", "name"));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return CheckNameIn(*tx, n, subject_id);
}

Result<std::vector<ProtectedNameEntry>> AccountService::ListProtectedNames() const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT id, name, kind, bound_subject_id FROM "
                                               "protected_names ORDER BY id"));
  std::vector<ProtectedNameEntry> out;
  for (const auto& r : rows.rows) {
    ProtectedNameEntry e{r.Int(0), r.Text(1), r.Text(2), OptInt(r, 3)};
    out.push_back(std::move(e));
  }
  return out;
}

Result<int> AccountService::ImportProtectedNames(const std::string& actor,
                                                 const std::vector<ProtectedNameEntry>& entries,
                                                 const auth::RequestMeta& meta) {
  static const std::vector<std::string> kinds = {"government", "media", "enterprise", "institution",
                                                 "public_figure"};
  if (entries.empty() || entries.size() > 100000) {
    return InvalidArgument("give 1 to 100000 entries", "invalid_entries", "entries");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string field = "entries[" + std::to_string(i) + "]";
    HERALD_RETURN_IF_ERROR(
        CheckText(e.name, 1, 50, "invalid_protected_name", field + ".name").status());
    if (std::find(kinds.begin(), kinds.end(), e.kind) == kinds.end()) {
      return InvalidArgument(
          "kind must be government, media, enterprise, institution or "
          "public_figure",
          "invalid_protected_kind", field + ".kind");
    }
  }
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    for (const auto& e : entries) {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO protected_names (name, kind, bound_subject_id, created_at, "
                     "created_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = "
                     "excluded.kind, bound_subject_id = excluded.bound_subject_id",
                     {std::string(Trim(e.name)), e.kind, OptTime(e.bound_subject_id), clock_.Now(),
                      actor})
              .status());
    }
    return audit_
        .Append(tx,
                audit::NewEntry{
                    actor, "names.protected.import", "protected_names",
                    JsonObjectWriter().Add("count", static_cast<int64_t>(entries.size())).str(),
                    meta.request_id})
        .status();
  }));
  return static_cast<int>(entries.size());
}

Status AccountService::DeleteProtectedName(const std::string& actor, int64_t id,
                                           const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT name FROM protected_names WHERE id = ?", {id}));
    if (rows.empty()) return NotFound("no such protected name", "protected_name_not_found");
    HERALD_RETURN_IF_ERROR(tx.Execute("DELETE FROM protected_names WHERE id = ?", {id}).status());
    return audit_
        .Append(tx, audit::NewEntry{actor, "names.protected.delete", "protected_name:" + Str(id),
                                    JsonObjectWriter().Add("name", rows.rows[0].Text(0)).str(),
                                    meta.request_id})
        .status();
  });
}

// ---------------------------------------------------------------------------------------------
// Accounts

Result<Account> AccountService::Load(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kAccountColumns) +
                                                  " FROM accounts a JOIN subjects s ON s.id = "
                                                  "a.subject_id WHERE a.id = ?",
                                              {id}));
  if (rows.empty()) return NotFound("no such account", "account_not_found");
  const Row& r = rows.rows[0];
  Account a;
  a.id = r.Int(0);
  a.subject_id = r.Int(1);
  a.owner_user_id = r.Int(2);
  a.subject_kind = r.Text(3);
  a.name = r.Text(4);
  a.bio = r.Text(5);
  a.avatar_media_id = r.Text(6);
  a.category = r.Text(7);
  a.registered_place = r.Text(8);
  a.operating_place = r.Text(9);
  a.contact = r.Text(10);
  a.business_scope = r.Text(11);
  a.status = r.Text(12);
  a.status_reason = r.Text(13);
  a.status_changed_at = r.Int(14);
  a.correction_due_at = OptInt(r, 15);
  a.cancel_effective_at = OptInt(r, 16);
  a.created_at = r.Int(17);
  a.last_active_at = r.Int(18);
  a.avatar_caption = r.Text(21);
  if (a.subject_kind == "organisation") {
    a.org_name = r.Text(19);
    a.credit_code = r.Text(20);
  }
  HERALD_ASSIGN_OR_RETURN(auto changes, tx.Query("SELECT changed_at FROM subject_changes WHERE "
                                                 "account_id = ? ORDER BY id",
                                                 {id}));
  for (const auto& c : changes.rows) a.subject_changes.push_back({c.Int(0)});
  HERALD_ASSIGN_OR_RETURN(
      auto quals, tx.Query("SELECT id, account_id, kind, licence_number, issuer, expires_at, "
                           "document_media_id, status, submitted_at, decided_at, decision_reason "
                           "FROM qualifications WHERE account_id = ? ORDER BY id",
                           {id}));
  const Category* cat = FindCategory(a.category);
  std::string needed = cat ? cat->requirement : "";
  const Micros now = clock_.Now();
  bool valid = false;
  for (const auto& q : quals.rows) {
    Qualification x{q.Int(0),  q.Int(1),  q.Text(2), q.Text(3),    q.Text(4), q.Int(5),
                    q.Text(6), q.Text(7), q.Int(8),  OptInt(q, 9), q.Text(10)};
    bool right_kind = (needed == "news_licence") == (x.kind == "news_licence");
    if (x.status == "approved" && x.expires_at > now && right_kind) valid = true;
    a.qualifications.push_back(std::move(x));
  }
  a.category_verified = needed.empty() || valid;
  if (!needed.empty() && valid) {
    a.badge = needed == "news_licence" ? "news" : "professional";
  } else if (a.subject_kind == "organisation") {
    a.badge = "organisation";
  }
  return a;
}

Result<Account> AccountService::LoadOwned(Transaction& tx, int64_t user_id, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, id));
  if (a.owner_user_id != user_id) {
    return PermissionDenied("only the account's operator may do this", "not_account_owner");
  }
  return a;
}

Status AccountService::AddNotice(Transaction& tx, int64_t user_id,
                                 std::optional<int64_t> account_id, std::string_view kind,
                                 std::string_view title, std::string_view body) {
  return tx
      .Execute(
          "INSERT INTO notices (user_id, account_id, kind, title, body, created_at) VALUES "
          "(?, ?, ?, ?, ?, ?)",
          {user_id, OptTime(account_id), std::string(kind), std::string(title), std::string(body),
           clock_.Now()})
      .status();
}

Status AccountService::AddReview(Transaction& tx, std::string_view kind, int64_t account_id,
                                 int64_t ref_id, const std::string& detail) {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT name, category FROM accounts WHERE id = ?", {account_id}));
  const std::string name = rows.empty() ? "" : rows.rows[0].Text(0);
  const std::string category = rows.empty() ? "" : rows.rows[0].Text(1);
  review::NewItem item;
  item.kind = std::string(kind);
  item.category = category;
  item.severity = 2;
  item.account_id = account_id;
  item.ref_id = ref_id;
  item.summary = std::string(kind) + ": " + name;
  item.detail = detail;
  return queue_.Enqueue(tx, item).status();
}

Status AccountService::Transition(Transaction& tx, const Account& a, std::string_view to,
                                  std::string_view reason, std::string_view note,
                                  const std::string& actor, const auth::RequestMeta& meta) {
  const Micros now = clock_.Now();
  HERALD_ASSIGN_OR_RETURN(int64_t n,
                          tx.Execute("UPDATE accounts SET status = ?, status_reason = ?, "
                                     "status_changed_at = ? WHERE id = ? AND status = ?",
                                     {std::string(to), std::string(reason), now, a.id, a.status}));
  if (n != 1) return Aborted("the account changed meanwhile; retry", "conflict");
  HERALD_RETURN_IF_ERROR(
      tx.Execute(
            "INSERT INTO account_events (account_id, time, from_status, to_status, "
            "reason_code, note, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {a.id, now, a.status, std::string(to), std::string(reason), std::string(note), actor})
          .status());
  if (to == "closed") {
    HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO closed_names (name, account_id, closed_at) "
                                      "VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                                      {a.name, a.id, now})
                               .status());
  }
  return audit_
      .Append(tx, audit::NewEntry{actor, "account.status", AccountRef(a.id),
                                  JsonObjectWriter()
                                      .Add("from", a.status)
                                      .Add("to", to)
                                      .Add("reason", reason)
                                      .Add("note", note)
                                      .str(),
                                  meta.request_id})
      .status();
}

Result<Account> AccountService::Create(int64_t user_id, const AccountInput& in,
                                       const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string name, CheckText(in.name, 2, 30, "invalid_name", "name"));
  HERALD_ASSIGN_OR_RETURN(std::string bio, CheckText(in.bio, 0, 200, "invalid_bio", "bio", true));
  const Category* cat = FindCategory(in.category);
  if (!cat) {
    return InvalidArgument("category must be one of GET /api/v1/categories", "invalid_category",
                           "category");
  }
  HERALD_ASSIGN_OR_RETURN(std::string reg_place, CheckText(in.registered_place, 2, 50,
                                                           "invalid_place", "registered_place"));
  HERALD_ASSIGN_OR_RETURN(std::string op_place,
                          CheckText(in.operating_place, 2, 50, "invalid_place", "operating_place"));
  HERALD_ASSIGN_OR_RETURN(std::string contact,
                          CheckText(in.contact, 3, 100, "invalid_contact", "contact"));
  HERALD_ASSIGN_OR_RETURN(std::string scope, CheckText(in.business_scope, 0, 500,
                                                       "invalid_business_scope", "business_scope"));
  HERALD_ASSIGN_OR_RETURN(std::string cap_reason,
                          CheckText(in.cap_reason, 0, 500, "invalid_cap_reason", "cap_reason"));
  HERALD_RETURN_IF_ERROR(CheckMediaId(in.avatar_media_id, "avatar_media_id"));
  HERALD_ASSIGN_OR_RETURN(
      std::string caption,
      CheckText(in.avatar_caption, 0, 50, "invalid_avatar_caption", "avatar_caption"));
  std::string review_term;
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, caption, "avatar_caption", &review_term));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, name, "name", &review_term));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, bio, "bio", &review_term));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, scope, "business_scope", &review_term));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, reg_place, "registered_place", &review_term));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, op_place, "operating_place", &review_term));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, contact, "contact", &review_term));

  int64_t account_id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(subjects::Subject subject, subjects_.Get(tx, in.subject_id));
        if (subject.owner_user_id != user_id) {
          return PermissionDenied("the subject belongs to another user", "not_subject_owner");
        }
        if (subject.status != "verified") {
          return FailedPrecondition("the subject is not verified", "subject_not_verified",
                                    "subject_id");
        }
        HERALD_RETURN_IF_ERROR(sanctions_.CheckAllowed(
            tx, {{"subject", subject.id, ""}, {"user", user_id, ""}}, "register"));
        const bool org = subject.kind == subjects::SubjectKind::kOrganisation;
        if (org && scope.empty()) {
          return InvalidArgument("organisations state their main business scope",
                                 "business_scope_required", "business_scope");
        }
        HERALD_ASSIGN_OR_RETURN(int64_t version, CurrentVersion(tx, kServiceAgreement));
        HERALD_ASSIGN_OR_RETURN(bool accepted, AcceptedCurrentAgreement(tx, user_id));
        if (!accepted) {
          return FailedPrecondition(
              "accept the current service agreement (version " + Str(version) + ") first",
              "agreement_not_accepted");
        }
        HERALD_ASSIGN_OR_RETURN(NamePreview check, CheckNameIn(tx, name, subject.id));
        if (check.decision == "reject") {
          bool closed = !check.matches.empty() && check.matches[0].closed;
          return InvalidArgument(
              closed ? "this name belonged to an account closed for violations and can never be "
                       "registered again"
                     : "this name uses a protected name (a government body, medium, enterprise, "
                       "institution or public figure) without matching identity",
              closed ? "name_closed" : "name_protected", "name");
        }
        HERALD_ASSIGN_OR_RETURN(auto taken,
                                tx.Query("SELECT COUNT(*) FROM accounts WHERE name = ? AND "
                                         "status NOT IN ('cancelled', 'rejected')",
                                         {name}));
        if (taken.rows[0].Int(0) > 0) {
          return AlreadyExists("an account with this name exists", "name_taken", "name");
        }
        HERALD_ASSIGN_OR_RETURN(
            auto count, tx.Query("SELECT COUNT(*) FROM accounts WHERE subject_id = ? AND status "
                                 "NOT IN ('closed', 'cancelled', 'rejected')",
                                 {subject.id}));
        int cap = org ? options_.cap_organisation : options_.cap_individual;
        if (options_.subject_cap) {
          HERALD_ASSIGN_OR_RETURN(cap, options_.subject_cap(tx, subject.id, cap));
        }
        const bool over_cap = count.rows[0].Int(0) >= cap;
        if (over_cap && cap_reason.empty()) {
          return ResourceExhausted("this subject already has " + Str(count.rows[0].Int(0)) +
                                       " accounts (the cap is " + Str(cap) +
                                       "); apply with cap_reason for a review",
                                   "account_cap_reached", "cap_reason");
        }
        const bool review = over_cap || check.decision == "review" || !review_term.empty();
        const Micros now = clock_.Now();
        HERALD_ASSIGN_OR_RETURN(
            auto ins,
            tx.Query("INSERT INTO accounts (subject_id, owner_user_id, name, bio, "
                     "avatar_media_id, category, registered_place, operating_place, contact, "
                     "business_scope, status, status_reason, status_changed_at, "
                     "agreement_version, created_at, last_active_at, avatar_caption) VALUES (?, ?, "
                     "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     {subject.id, user_id, name, bio,
                      in.avatar_media_id.empty() ? Value() : Value(in.avatar_media_id), cat->id,
                      reg_place, op_place, contact, scope,
                      std::string(review ? "pending_review" : "active"),
                      std::string(review ? (over_cap                     ? "over_cap"
                                            : check.decision == "review" ? "name_review"
                                                                         : "registration_data")
                                         : "registered"),
                      now, version, now, now, caption}));
        account_id = ins.rows[0].Int(0);
        if (over_cap) {
          HERALD_RETURN_IF_ERROR(AddReview(tx, "over_cap", account_id, 0,
                                           JsonObjectWriter()
                                               .Add("cap", cap)
                                               .Add("accounts", count.rows[0].Int(0))
                                               .Add("reason", cap_reason)
                                               .str()));
        }
        if (check.decision == "review") {
          std::string matches = "[";
          for (size_t i = 0; i < check.matches.size(); ++i) {
            if (i) matches += ",";
            matches += JsonObjectWriter()
                           .Add("protected", check.matches[i].protected_name)
                           .Add("score", static_cast<int64_t>(check.matches[i].score * 100))
                           .str();
          }
          matches += "]";
          HERALD_RETURN_IF_ERROR(AddReview(
              tx, "name", account_id, 0,
              JsonObjectWriter().Add("name", name).AddRaw("matches_percent", matches).str()));
        }
        if (!review_term.empty()) {
          HERALD_RETURN_IF_ERROR(AddReview(tx, "registration_data", account_id, 0,
                                           JsonObjectWriter().Add("term", review_term).str()));
        }
        HERALD_RETURN_IF_ERROR(
            auth_.EnsureRole(tx, user_id, auth::Role::kOperator, "system", meta));
        return audit_
            .Append(tx,
                    audit::NewEntry{UserActor(user_id), "account.create", AccountRef(account_id),
                                    JsonObjectWriter()
                                        .Add("subject", "subject:" + Str(subject.id))
                                        .Add("name", name)
                                        .Add("category", cat->id)
                                        .Add("status", review ? "pending_review" : "active")
                                        .Add("name_check", check.decision)
                                        .Add("over_cap", over_cap)
                                        .str(),
                                    meta.request_id})
            .status();
      }));
  return Get(account_id);
}

Result<Account> AccountService::Update(int64_t user_id, int64_t account_id, const AccountUpdate& in,
                                       const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
        if (a.status == "closed" || a.status == "cancelled" || a.status == "rejected") {
          return FailedPrecondition("this account can no longer be changed", "account_not_active");
        }
        HERALD_RETURN_IF_ERROR(sanctions_.CheckAllowed(tx, SanctionTargets(a), "update_profile"));
        JsonObjectWriter changes;
        std::vector<std::string> sets;
        std::vector<Value> params;
        if (in.name) {
          HERALD_ASSIGN_OR_RETURN(std::string name,
                                  CheckText(*in.name, 2, 30, "invalid_name", "name"));
          if (name != a.name) {
            std::string review;
            HERALD_RETURN_IF_ERROR(ScreenField(screen_, name, "name", &review));
            if (!review.empty()) {
              return InvalidArgument("this name needs a review: contact the platform",
                                     "registration_data_review", "name");
            }
            HERALD_ASSIGN_OR_RETURN(auto taken,
                                    tx.Query("SELECT COUNT(*) FROM accounts WHERE name = ? AND "
                                             "id <> ? AND status NOT IN ('cancelled', "
                                             "'rejected')",
                                             {name, a.id}));
            if (taken.rows[0].Int(0) > 0) {
              return AlreadyExists("an account with this name exists", "name_taken", "name");
            }
            HERALD_ASSIGN_OR_RETURN(NamePreview check, CheckNameIn(tx, name, a.subject_id));
            if (check.decision != "allow") {
              bool closed = !check.matches.empty() && check.matches[0].closed;
              return InvalidArgument(
                  "this name is protected or closed; renaming to it needs a review: contact the "
                  "platform",
                  closed ? "name_closed" : "name_protected", "name");
            }
            sets.push_back("name = ?");
            params.push_back(name);
            changes.Add("name", name);
          }
        }
        if (in.bio) {
          HERALD_ASSIGN_OR_RETURN(std::string bio,
                                  CheckText(*in.bio, 0, 200, "invalid_bio", "bio", true));
          std::string review;
          HERALD_RETURN_IF_ERROR(ScreenField(screen_, bio, "bio", &review));
          if (!review.empty()) {
            return InvalidArgument("this bio needs a review: contact the platform",
                                   "registration_data_review", "bio");
          }
          sets.push_back("bio = ?");
          params.push_back(bio);
          changes.Add("bio", true);
        }
        if (in.avatar_media_id) {
          HERALD_RETURN_IF_ERROR(CheckMediaId(*in.avatar_media_id, "avatar_media_id"));
          sets.push_back("avatar_media_id = ?");
          params.push_back(in.avatar_media_id->empty() ? Value() : Value(*in.avatar_media_id));
          changes.Add("avatar", true);
        }
        if (in.avatar_caption) {
          HERALD_ASSIGN_OR_RETURN(
              std::string caption,
              CheckText(*in.avatar_caption, 0, 50, "invalid_avatar_caption", "avatar_caption"));
          std::string review;
          HERALD_RETURN_IF_ERROR(ScreenField(screen_, caption, "avatar_caption", &review));
          if (!review.empty()) {
            return InvalidArgument("this caption needs a review: contact the platform",
                                   "registration_data_review", "avatar_caption");
          }
          sets.push_back("avatar_caption = ?");
          params.push_back(caption);
          changes.Add("avatar_caption", true);
        }
        // Fields without a review path: a review or flag term is refused too.
        auto screen_strict = [this](const std::string& text, const std::string& field) -> Status {
          std::string review;
          HERALD_RETURN_IF_ERROR(ScreenField(screen_, text, field, &review));
          if (!review.empty()) {
            return InvalidArgument("this " + field + " needs a review: contact the platform",
                                   "registration_data_review", field);
          }
          return Status();
        };
        if (in.operating_place) {
          HERALD_ASSIGN_OR_RETURN(std::string p, CheckText(*in.operating_place, 2, 50,
                                                           "invalid_place", "operating_place"));
          HERALD_RETURN_IF_ERROR(screen_strict(p, "operating_place"));
          sets.push_back("operating_place = ?");
          params.push_back(p);
          changes.Add("operating_place", p);
        }
        if (in.contact) {
          HERALD_ASSIGN_OR_RETURN(std::string c,
                                  CheckText(*in.contact, 3, 100, "invalid_contact", "contact"));
          HERALD_RETURN_IF_ERROR(screen_strict(c, "contact"));
          sets.push_back("contact = ?");
          params.push_back(c);
          changes.Add("contact", true);
        }
        if (in.business_scope) {
          HERALD_ASSIGN_OR_RETURN(
              std::string b,
              CheckText(*in.business_scope, 0, 500, "invalid_business_scope", "business_scope"));
          HERALD_RETURN_IF_ERROR(screen_strict(b, "business_scope"));
          sets.push_back("business_scope = ?");
          params.push_back(b);
          changes.Add("business_scope", true);
        }
        if (sets.empty()) return Status();
        std::string sql = "UPDATE accounts SET last_active_at = ?";
        params.insert(params.begin(), Value(clock_.Now()));
        for (const auto& s : sets) sql += ", " + s;
        sql += " WHERE id = ?";
        params.push_back(a.id);
        HERALD_RETURN_IF_ERROR(tx.Execute(sql, params).status());
        return audit_
            .Append(tx, audit::NewEntry{UserActor(user_id), "account.update", AccountRef(a.id),
                                        changes.str(), meta.request_id})
            .status();
      }));
  return Get(account_id);
}

Result<Account> AccountService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Load(*tx, id);
}

Result<std::vector<Account>> AccountService::ListByOwner(int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT id FROM accounts WHERE owner_user_id = ? ORDER BY id", {user_id}));
  std::vector<Account> out;
  for (const auto& r : rows.rows) {
    HERALD_ASSIGN_OR_RETURN(Account a, Load(*tx, r.Int(0)));
    out.push_back(std::move(a));
  }
  return out;
}

Status AccountService::CheckCanPublish(int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Account a, Load(*tx, account_id));
  return CheckCanPublish(*tx, a);
}

Status AccountService::CheckCanPublish(const Account& a) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return CheckCanPublish(*tx, a);
}

Status AccountService::CheckCanPublish(Transaction& tx, const Account& a) const {
  if (a.status != "active") {
    return FailedPrecondition("the account is " + a.status + " and may not publish",
                              "account_not_active");
  }
  HERALD_ASSIGN_OR_RETURN(bool accepted, AcceptedCurrentAgreement(tx, a.owner_user_id));
  if (!accepted) {
    return FailedPrecondition("a new service agreement was published: accept it first",
                              "agreement_not_accepted");
  }
  if (!a.category_verified) {
    return FailedPrecondition(
        "the category " + a.category + " needs an approved, unexpired qualification",
        "qualification_required");
  }
  HERALD_RETURN_IF_ERROR(sanctions_.CheckAllowed(tx, SanctionTargets(a), "publish"));
  return sanctions_.CheckPublishingOpen(tx, a.category);
}

std::vector<sanctions::Target> AccountService::SanctionTargets(const Account& a) {
  return {{"account", a.id, ""}, {"subject", a.subject_id, ""}, {"user", a.owner_user_id, ""}};
}

Status AccountService::CheckAllowed(int64_t account_id, std::string_view function) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Account a, Load(*tx, account_id));
  return CheckAllowedIn(*tx, a, function);
}

Status AccountService::CheckAllowedIn(Transaction& tx, const Account& a,
                                      std::string_view function) const {
  if (a.status == "closed" || a.status == "cancelled" || a.status == "rejected" ||
      a.status == "cancelling") {
    return FailedPrecondition("the account is " + a.status, "account_not_active");
  }
  return sanctions_.CheckAllowed(tx, SanctionTargets(a), function);
}

Result<std::vector<sanctions::Sanction>> AccountService::ActiveSanctions(const Account& a) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return sanctions_.ActiveFor(*tx, SanctionTargets(a));
}

// ---------------------------------------------------------------------------------------------
// Sanctions

Result<sanctions::Sanction> AccountService::IssueSanction(const std::string& actor,
                                                          sanctions::NewSanction in,
                                                          const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(sanctions_.Validate(in));
  sanctions::Sanction out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        in.party_user_id.reset();
        in.account_id.reset();
        in.subject_id.reset();
        const sanctions::Target& t = in.target;
        std::optional<Account> account;
        if (t.type == "account") {
          HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, t.id));
          in.account_id = a.id;
          in.subject_id = a.subject_id;
          in.party_user_id = a.owner_user_id;
          if (in.measure == "close_account" &&
              (a.status == "closed" || a.status == "cancelled" || a.status == "rejected")) {
            return FailedPrecondition("the account is already " + a.status, "account_not_active");
          }
          account = std::move(a);
        } else if (t.type == "subject") {
          HERALD_ASSIGN_OR_RETURN(subjects::Subject sub, subjects_.Get(tx, t.id));
          in.subject_id = sub.id;
          in.party_user_id = sub.owner_user_id;
        } else if (t.type == "user") {
          HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM users WHERE id = ?", {t.id}));
          if (rows.empty()) return NotFound("no such user", "user_not_found", "target_id");
          in.party_user_id = t.id;
        } else if (t.type == "group") {
          return InvalidArgument("groups are not available on this platform yet",
                                 "unsupported_target", "target_type");
        }
        HERALD_ASSIGN_OR_RETURN(out, sanctions_.Issue(tx, in, {actor, meta.request_id}));
        if (out.measure == "close_account" && account) {
          HERALD_RETURN_IF_ERROR(
              Transition(tx, *account, "closed", out.reason_code, out.note, actor, meta));
        } else if (out.measure == "ban_name") {
          HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO closed_names (name, account_id, "
                                            "closed_at) VALUES (?, 0, ?) ON CONFLICT (name) DO "
                                            "NOTHING",
                                            {out.target.name, clock_.Now()})
                                     .status());
        }
        if (out.party_user_id) {
          std::string body =
              "措施 Measure: " + out.measure +
              (out.function.empty() ? "" : " (" + out.function + ")") +
              "; 原因 Reason: " + out.reason_code + (out.note.empty() ? "" : " — " + out.note) +
              "; 期限 Until: " + (out.ends_at ? FormatRfc3339(*out.ends_at) : "permanent") +
              (out.appealable ? "; 可申诉 You may appeal this decision." : "");
          HERALD_RETURN_IF_ERROR(AddNotice(tx, *out.party_user_id, out.account_id,
                                           "sanction_issued", "处罚通知 Sanction", body));
        }
        return Status();
      }));
  return out;
}

Result<sanctions::Sanction> AccountService::LiftSanction(const std::string& actor,
                                                         int64_t sanction_id,
                                                         std::string_view reason,
                                                         const auth::RequestMeta& meta) {
  sanctions::Sanction out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(out,
                                sanctions_.Lift(tx, sanction_id, reason, {actor, meta.request_id}));
        return UndoSanction(tx, out, actor, meta);
      }));
  return out;
}

Status AccountService::UndoSanction(Transaction& tx, const sanctions::Sanction& out,
                                    const std::string& actor, const auth::RequestMeta& meta) {
  if (out.measure == "close_account" && out.account_id) {
    HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, *out.account_id));
    if (a.status == "closed") {
      HERALD_RETURN_IF_ERROR(
          Transition(tx, a, "active", "sanction_lifted", out.lift_reason, actor, meta));
      HERALD_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM closed_names WHERE account_id = ?", {a.id}).status());
    }
  } else if (out.measure == "ban_name") {
    HERALD_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM closed_names WHERE name = ? AND account_id = 0", {out.target.name})
            .status());
  }
  if (out.party_user_id) {
    HERALD_RETURN_IF_ERROR(AddNotice(tx, *out.party_user_id, out.account_id, "sanction_lifted",
                                     "处罚已解除 Sanction lifted",
                                     out.measure + ": " + out.lift_reason));
  }
  return Status();
}

Result<std::vector<sanctions::Sanction>> AccountService::SanctionsOf(int64_t user_id,
                                                                     int limit) const {
  sanctions::ListFilter f;
  f.party_user_id = user_id;
  f.limit = limit;
  return sanctions_.List(f);
}

// ---------------------------------------------------------------------------------------------
// Qualifications

Result<Qualification> AccountService::SubmitQualification(int64_t user_id, int64_t account_id,
                                                          const Qualification& in,
                                                          const auth::RequestMeta& meta) {
  if (in.kind != "professional" && in.kind != "news_licence") {
    return InvalidArgument("kind must be professional or news_licence", "invalid_qualification",
                           "kind");
  }
  HERALD_ASSIGN_OR_RETURN(
      std::string number,
      CheckText(in.licence_number, 3, 64, "invalid_licence_number", "licence_number"));
  HERALD_ASSIGN_OR_RETURN(std::string issuer,
                          CheckText(in.issuer, 2, 100, "invalid_issuer", "issuer"));
  // Qualifications are reviewed by a moderator anyway: only `block` terms refuse here.
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, number, "licence_number", nullptr));
  HERALD_RETURN_IF_ERROR(ScreenField(screen_, issuer, "issuer", nullptr));
  if (in.document_media_id.empty()) {
    return InvalidArgument("upload the licence document first (POST /api/v1/media)",
                           "missing_field", "document_media_id");
  }
  HERALD_RETURN_IF_ERROR(CheckMediaId(in.document_media_id, "document_media_id"));
  const Micros now = clock_.Now();
  if (in.expires_at <= now) {
    return InvalidArgument("the qualification has already expired", "qualification_expired",
                           "expires_on");
  }
  Qualification q = in;
  q.licence_number = number;
  q.issuer = issuer;
  q.status = "pending";
  q.submitted_at = now;
  q.account_id = account_id;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
        const Category* cat = FindCategory(a.category);
        if (!cat || cat->requirement.empty()) {
          return FailedPrecondition("the category " + a.category + " needs no qualification",
                                    "qualification_not_needed", "kind");
        }
        if ((cat->requirement == "news_licence") != (in.kind == "news_licence")) {
          return InvalidArgument("the category " + a.category + " needs a " + cat->requirement,
                                 "wrong_qualification_kind", "kind");
        }
        HERALD_ASSIGN_OR_RETURN(
            auto ins,
            tx.Query("INSERT INTO qualifications (account_id, kind, licence_number, issuer, "
                     "expires_at, document_media_id, status, submitted_at, decision_reason) "
                     "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, '') RETURNING id",
                     {account_id, q.kind, number, issuer, q.expires_at, q.document_media_id, now}));
        q.id = ins.rows[0].Int(0);
        HERALD_RETURN_IF_ERROR(AddReview(tx, "qualification", account_id, q.id,
                                         JsonObjectWriter()
                                             .Add("kind", q.kind)
                                             .Add("licence_number", number)
                                             .Add("issuer", issuer)
                                             .Add("expires_at", FormatRfc3339(q.expires_at))
                                             .Add("document_media_id", q.document_media_id)
                                             .str()));
        return audit_
            .Append(tx,
                    audit::NewEntry{
                        UserActor(user_id), "qualification.submit", AccountRef(account_id),
                        JsonObjectWriter().Add("qualification", q.id).Add("kind", q.kind).str(),
                        meta.request_id})
            .status();
      }));
  return q;
}

Status AccountService::RevokeQualification(const std::string& actor, int64_t qualification_id,
                                           std::string_view reason_in,
                                           const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckText(reason_in, 1, 500, "reason_required", "reason"));
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT account_id, status FROM qualifications WHERE id = ?", {qualification_id}));
    if (rows.empty()) return NotFound("no such qualification", "qualification_not_found");
    if (rows.rows[0].Text(1) != "approved") {
      return FailedPrecondition("only an approved qualification can be revoked",
                                "invalid_transition");
    }
    int64_t account_id = rows.rows[0].Int(0);
    HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE qualifications SET status = 'revoked', decided_at = "
                                      "?, decided_by = ?, decision_reason = ? WHERE id = ?",
                                      {clock_.Now(), actor, reason, qualification_id})
                               .status());
    HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, account_id));
    HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "qualification_revoked",
                                     "资质已撤销 Qualification revoked",
                                     "Your qualification was revoked: " + reason +
                                         ". The account may not publish in its category until a "
                                         "new qualification is approved. You may appeal."));
    return audit_
        .Append(tx, audit::NewEntry{actor, "qualification.revoke", AccountRef(account_id),
                                    JsonObjectWriter()
                                        .Add("qualification", qualification_id)
                                        .Add("reason", reason)
                                        .str(),
                                    meta.request_id})
        .status();
  });
}

// ---------------------------------------------------------------------------------------------
// Review queue

// Effects of a review decision on the account's own kinds, in the decision's transaction
// (registered with the ReviewQueue in the constructor).
Status AccountService::ApplyReviewDecision(Transaction& tx, const review::Item& item) {
  if (!item.account_id) return Internal("account review without an account", "database_error");
  const bool approve = item.decision == "approve";
  const std::string& actor = item.decided_by;
  const std::string reason =
      item.note.empty() ? item.reason_code : item.reason_code + ": " + item.note;
  const Micros now = clock_.Now();
  const auth::RequestMeta meta;
  HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, *item.account_id));

  if (item.kind == "name" || item.kind == "over_cap" || item.kind == "registration_data") {
    if (a.status == "pending_review") {
      HERALD_ASSIGN_OR_RETURN(
          int64_t pending, queue_.CountOpen(tx, a.id, {"name", "over_cap", "registration_data"}));
      if (!approve) {
        HERALD_RETURN_IF_ERROR(
            Transition(tx, a, "rejected", item.kind + "_rejected", reason, actor, meta));
        HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "registration_rejected",
                                         "账号注册未通过 Registration refused", reason));
      } else if (pending == 0) {
        HERALD_RETURN_IF_ERROR(Transition(tx, a, "active", "review_approved", reason, actor, meta));
        HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "registration_approved",
                                         "账号注册已通过 Registration approved", reason));
      }
    }
  } else if (item.kind == "qualification") {
    HERALD_RETURN_IF_ERROR(
        tx.Execute(
              "UPDATE qualifications SET status = ?, decided_at = ?, decided_by = ?, "
              "decision_reason = ? WHERE id = ?",
              {std::string(approve ? "approved" : "rejected"), now, actor, reason, item.ref_id})
            .status());
    HERALD_RETURN_IF_ERROR(AddNotice(
        tx, a.owner_user_id, a.id, approve ? "qualification_approved" : "qualification_rejected",
        approve ? "资质审核通过 Qualification approved" : "资质审核未通过 Qualification rejected",
        reason));
  } else if (item.kind == "transfer") {
    HERALD_ASSIGN_OR_RETURN(auto tr, tx.Query("SELECT from_subject_id, to_subject_id, "
                                              "status FROM transfers WHERE id = ?",
                                              {item.ref_id}));
    if (tr.empty()) return Internal("transfer missing", "database_error");
    if (tr.rows[0].Text(2) != "accepted") {
      return FailedPrecondition("the transferee has not accepted the transfer yet",
                                "transfer_not_accepted");
    }
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE transfers SET status = ?, decided_at = ?, "
                   "decided_by = ? WHERE id = ?",
                   {std::string(approve ? "approved" : "rejected"), now, actor, item.ref_id})
            .status());
    if (approve) {
      HERALD_ASSIGN_OR_RETURN(auto active, sanctions_.ActiveFor(tx, SanctionTargets(a)));
      bool sanctioned = Sanctioned(a.status);
      for (const auto& x : active) sanctioned = sanctioned || x.measure != "warning";
      if (sanctioned) {
        return FailedPrecondition("an account under sanction cannot be transferred",
                                  "account_sanctioned");
      }
      int64_t to_subject = tr.rows[0].Int(1);
      HERALD_ASSIGN_OR_RETURN(subjects::Subject dest, subjects_.Get(tx, to_subject));
      HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE accounts SET subject_id = ?, owner_user_id "
                                        "= ?, last_active_at = ? WHERE id = ?",
                                        {to_subject, dest.owner_user_id, now, a.id})
                                 .status());
      HERALD_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO subject_changes (account_id, from_subject_id, "
                     "to_subject_id, changed_at, transfer_id) VALUES (?, ?, ?, ?, ?)",
                     {a.id, tr.rows[0].Int(0), to_subject, now, item.ref_id})
              .status());
      HERALD_RETURN_IF_ERROR(
          auth_.EnsureRole(tx, dest.owner_user_id, auth::Role::kOperator, "system", meta));
      HERALD_RETURN_IF_ERROR(AddNotice(tx, dest.owner_user_id, a.id, "transfer_completed",
                                       "账号迁移完成 Transfer completed",
                                       "You now operate the account " + a.name + "."));
    }
    HERALD_RETURN_IF_ERROR(AddNotice(
        tx, a.owner_user_id, a.id, approve ? "transfer_approved" : "transfer_rejected",
        approve ? "账号迁移已批准 Transfer approved" : "账号迁移未批准 Transfer refused", reason));
  }
  return Status();
}

// ---------------------------------------------------------------------------------------------
// Appeals against a refused registration

Result<RegistrationRefusal> AccountService::RegistrationRefusalIn(Transaction& tx,
                                                                  int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, account_id));
  if (a.status != "rejected") {
    return FailedPrecondition("the account's registration was not refused",
                              "registration_not_rejected");
  }
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT id, time, actor, reason_code, note FROM account_events WHERE "
                          "account_id = ? AND to_status = 'rejected' ORDER BY id DESC LIMIT 1",
                          {account_id}));
  RegistrationRefusal out;
  if (rows.empty()) {  // not expected: every transition is recorded
    out.time = a.status_changed_at;
    out.reason_code = a.status_reason;
    return out;
  }
  const auto& r = rows.rows[0];
  out.event_id = r.Int(0);
  out.time = r.Int(1);
  out.actor = r.Text(2);
  out.reason_code = r.Text(3);
  out.note = r.Text(4);
  return out;
}

Result<Account> AccountService::ReinstateRegistrationIn(Transaction& tx, int64_t account_id,
                                                        std::string_view reason,
                                                        const std::string& actor,
                                                        const std::string& request_id) {
  HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, account_id));
  if (a.status != "rejected") {
    return FailedPrecondition("the account's registration was not refused",
                              "registration_not_rejected");
  }
  // The name was released by the refusal: another account may hold it now, or it may have been
  // closed or protected since. Then the account cannot be given back; the appeal can be upheld
  // with that explanation (the operator registers under another name).
  HERALD_ASSIGN_OR_RETURN(auto taken,
                          tx.Query("SELECT COUNT(*) FROM accounts WHERE name = ? AND id <> ? AND "
                                   "status NOT IN ('cancelled', 'rejected')",
                                   {a.name, a.id}));
  if (taken.rows[0].Int(0) > 0) {
    return AlreadyExists("another account has registered the name " + a.name +
                             " since; the refusal cannot be undone",
                         "name_taken");
  }
  HERALD_ASSIGN_OR_RETURN(NamePreview check, CheckNameIn(tx, a.name, a.subject_id));
  if (check.decision == "reject") {
    const bool closed = !check.matches.empty() && check.matches[0].closed;
    return FailedPrecondition("the name " + a.name + " may no longer be registered",
                              closed ? "name_closed" : "name_protected");
  }
  HERALD_ASSIGN_OR_RETURN(subjects::Subject subject, subjects_.Get(tx, a.subject_id));
  if (subject.status != "verified") {
    return FailedPrecondition("the account's subject is no longer verified",
                              "subject_not_verified");
  }
  HERALD_ASSIGN_OR_RETURN(RegistrationRefusal refusal, RegistrationRefusalIn(tx, a.id));
  HERALD_ASSIGN_OR_RETURN(int64_t open,
                          queue_.CountOpen(tx, a.id, {"name", "over_cap", "registration_data"}));
  // The cap: an over_cap refusal overturned admits the account beyond it (as approving that item
  // would have); otherwise a subject that has filled its cap since goes back to review.
  bool over_cap = false;
  int64_t live = 0;
  int cap = 0;
  if (refusal.reason_code != "over_cap_rejected") {
    HERALD_ASSIGN_OR_RETURN(auto count,
                            tx.Query("SELECT COUNT(*) FROM accounts WHERE subject_id = ? AND id "
                                     "<> ? AND status NOT IN ('closed', 'cancelled', 'rejected')",
                                     {a.subject_id, a.id}));
    live = count.rows[0].Int(0);
    cap = subject.kind == subjects::SubjectKind::kOrganisation ? options_.cap_organisation
                                                               : options_.cap_individual;
    if (options_.subject_cap) {
      HERALD_ASSIGN_OR_RETURN(cap, options_.subject_cap(tx, a.subject_id, cap));
    }
    over_cap = live >= cap;
  }
  const auth::RequestMeta meta{request_id, "", ""};
  const std::string note = std::string(reason);
  if (over_cap) {
    HERALD_RETURN_IF_ERROR(AddReview(tx, "over_cap", a.id, 0,
                                     JsonObjectWriter()
                                         .Add("cap", cap)
                                         .Add("accounts", live)
                                         .Add("reason", "appeal overturned: " + note)
                                         .str()));
  }
  if (over_cap || open > 0) {
    HERALD_RETURN_IF_ERROR(
        Transition(tx, a, "pending_review", "appeal_overturned", note, actor, meta));
  } else {
    HERALD_RETURN_IF_ERROR(Transition(tx, a, "active", "appeal_overturned", note, actor, meta));
    HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "registration_approved",
                                     "账号注册已通过 Registration approved", note));
  }
  return Load(tx, a.id);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

// One sanction model (PA-19.2): a status change by the platform is recorded as the matching
// sanction (restricted: restrict publish; suspended: suspend_updates; closed: close_account), and
// reinstating an account lifts its open ones.
Status AccountService::RecordStatusSanction(Transaction& tx, const Account& a, std::string_view to,
                                            std::string_view reason_code, const std::string& note,
                                            const std::string& actor,
                                            const auth::RequestMeta& meta) {
  if (to == "active") {
    HERALD_ASSIGN_OR_RETURN(auto active, sanctions_.ActiveFor(tx, {{"account", a.id, ""}}));
    for (const auto& x : active) {
      if (x.measure == "warning") continue;
      HERALD_RETURN_IF_ERROR(sanctions_
                                 .Lift(tx, x.id, note.empty() ? std::string(reason_code) : note,
                                       {actor, meta.request_id})
                                 .status());
    }
    return Status();
  }
  sanctions::NewSanction ns;
  ns.target = {"account", a.id, ""};
  ns.measure = to == "closed"      ? "close_account"
               : to == "suspended" ? "suspend_updates"
                                   : "restrict";
  if (to == "restricted") ns.function = "publish";
  ns.reason_code = std::string(reason_code);
  ns.note = note;
  ns.party_user_id = a.owner_user_id;
  ns.account_id = a.id;
  ns.subject_id = a.subject_id;
  return sanctions_.Issue(tx, ns, {actor, meta.request_id}).status();
}

Result<Account> AccountService::SetStatus(const std::string& actor, int64_t account_id,
                                          std::string_view to, std::string_view reason_code,
                                          std::string_view note_in,
                                          std::optional<Micros> correction_due_at,
                                          const auth::RequestMeta& meta) {
  if (to != "active" && to != "restricted" && to != "suspended" && to != "closed") {
    return InvalidArgument("status must be active, restricted, suspended or closed",
                           "invalid_status", "status");
  }
  const auto& codes = ReasonCodes();
  if (std::find(codes.begin(), codes.end(), reason_code) == codes.end()) {
    return InvalidArgument("unknown reason code", "invalid_reason_code", "reason_code");
  }
  HERALD_ASSIGN_OR_RETURN(std::string note, CheckText(note_in, 0, 1000, "invalid_note", "note"));
  if (correction_due_at && to != "suspended") {
    return InvalidArgument("a correction deadline goes only with a suspension",
                           "invalid_correction_deadline", "correction_days");
  }
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, account_id));
        static const std::vector<std::string> live = {"active", "restricted", "suspended",
                                                      "pending_review", "cancelling"};
        if (std::find(live.begin(), live.end(), a.status) == live.end() || a.status == to) {
          return FailedPrecondition(
              "an account that is " + a.status + " cannot become " + std::string(to),
              "invalid_transition", "status");
        }
        if (to == "active" && a.status == "pending_review") {
          return FailedPrecondition("decide the pending review items instead", "invalid_transition",
                                    "status");
        }
        HERALD_RETURN_IF_ERROR(Transition(tx, a, to, reason_code, note, actor, meta));
        HERALD_RETURN_IF_ERROR(RecordStatusSanction(tx, a, to, reason_code, note, actor, meta));
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE accounts SET correction_due_at = ?, cancel_effective_at = NULL "
                       "WHERE id = ?",
                       {OptTime(correction_due_at), a.id})
                .status());
        std::string body = "Status: " + std::string(to) + ". Reason: " + std::string(reason_code) +
                           (note.empty() ? "" : " (" + note + ")") + ".";
        if (correction_due_at) {
          body += " Correct the registration data before " + FormatRfc3339(*correction_due_at) +
                  ", or the account will be closed.";
        }
        if (to != "active") body += " You may appeal this decision within 30 days.";
        return AddNotice(
            tx, a.owner_user_id, a.id, "account_" + std::string(to),
            to == "active" ? "账号已恢复 Account reinstated" : "账号处置通知 Account sanction",
            body);
      }));
  return Get(account_id);
}

Result<Account> AccountService::SelfSuspend(int64_t user_id, int64_t account_id,
                                            const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
    if (a.status != "active") {
      return FailedPrecondition("only an active account can be suspended by its operator",
                                "invalid_transition");
    }
    return Transition(tx, a, "suspended", "self_suspension", "", UserActor(user_id), meta);
  }));
  return Get(account_id);
}

Result<Account> AccountService::SelfResume(int64_t user_id, int64_t account_id,
                                           const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
    if (a.status != "suspended" || a.status_reason != "self_suspension") {
      return FailedPrecondition(
          "only a suspension the operator asked for can be lifted by the "
          "operator",
          "invalid_transition");
    }
    return Transition(tx, a, "active", "self_resumption", "", UserActor(user_id), meta);
  }));
  return Get(account_id);
}

Result<Account> AccountService::RequestCancellation(int64_t user_id, int64_t account_id,
                                                    const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
        if (a.status != "active" &&
            !(a.status == "suspended" && a.status_reason == "self_suspension")) {
          return FailedPrecondition("an account that is " + a.status +
                                        " cannot be cancelled now; sanctions must be resolved "
                                        "first",
                                    "invalid_transition");
        }
        HERALD_RETURN_IF_ERROR(
            Transition(tx, a, "cancelling", "self_cancellation", "", UserActor(user_id), meta));
        Micros effective = clock_.Now() + options_.cancel_cooling_off;
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE accounts SET cancel_effective_at = ? WHERE id = ?",
                       {effective, a.id})
                .status());
        return AddNotice(tx, user_id, a.id, "cancellation_requested", "注销申请已受理 Cancellation",
                         "The account will be cancelled on " + FormatRfc3339(effective) +
                             " unless you withdraw the request before then.");
      }));
  return Get(account_id);
}

Result<Account> AccountService::WithdrawCancellation(int64_t user_id, int64_t account_id,
                                                     const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
        if (a.status != "cancelling") {
          return FailedPrecondition("no cancellation is pending", "invalid_transition");
        }
        HERALD_RETURN_IF_ERROR(
            Transition(tx, a, "active", "cancellation_withdrawn", "", UserActor(user_id), meta));
        return tx.Execute("UPDATE accounts SET cancel_effective_at = NULL WHERE id = ?", {a.id})
            .status();
      }));
  return Get(account_id);
}

// ---------------------------------------------------------------------------------------------
// Transfer

namespace {
Transfer TransferFromRow(const Row& r) {
  return Transfer{r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Text(4), r.Int(5)};
}
constexpr std::string_view kTransferColumns =
    "id, account_id, from_subject_id, to_subject_id, status, applied_at";
}  // namespace

Result<Transfer> AccountService::ApplyTransfer(int64_t user_id, int64_t account_id,
                                               int64_t to_subject_id,
                                               const auth::RequestMeta& meta) {
  Transfer t;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, user_id, account_id));
        if (Sanctioned(a.status)) {
          return FailedPrecondition("an account under sanction cannot be transferred",
                                    "account_sanctioned");
        }
        if (a.status != "active") {
          return FailedPrecondition("only an active account can be transferred",
                                    "invalid_transition");
        }
        if (to_subject_id == a.subject_id) {
          return InvalidArgument("the account already belongs to this subject",
                                 "invalid_transferee", "to_subject_id");
        }
        auto dest = subjects_.Get(tx, to_subject_id);
        if (!dest.ok() || dest->status != "verified") {
          return InvalidArgument("the transferee must be a verified subject", "invalid_transferee",
                                 "to_subject_id");
        }
        HERALD_ASSIGN_OR_RETURN(auto open, tx.Query("SELECT COUNT(*) FROM transfers WHERE "
                                                    "account_id = ? AND status IN ('applied', "
                                                    "'accepted')",
                                                    {a.id}));
        if (open.rows[0].Int(0) > 0) {
          return AlreadyExists("a transfer of this account is already pending", "transfer_pending");
        }
        const Micros now = clock_.Now();
        HERALD_ASSIGN_OR_RETURN(
            auto ins, tx.Query("INSERT INTO transfers (account_id, from_subject_id, "
                               "to_subject_id, status, applied_at) VALUES (?, ?, ?, 'applied', "
                               "?) RETURNING id",
                               {a.id, a.subject_id, to_subject_id, now}));
        t = Transfer{ins.rows[0].Int(0), a.id, a.subject_id, to_subject_id, "applied", now};
        HERALD_RETURN_IF_ERROR(AddNotice(tx, dest->owner_user_id, a.id, "transfer_offered",
                                         "账号迁移邀请 Transfer offered",
                                         "The operator of " + a.name +
                                             " applied to transfer it to your subject. Accept "
                                             "with POST /api/v1/transfers/" +
                                             Str(t.id) + "/accept."));
        return audit_
            .Append(tx, audit::NewEntry{UserActor(user_id), "transfer.apply", AccountRef(a.id),
                                        JsonObjectWriter()
                                            .Add("transfer", t.id)
                                            .Add("to_subject", "subject:" + Str(to_subject_id))
                                            .str(),
                                        meta.request_id})
            .status();
      }));
  return t;
}

Result<Transfer> AccountService::AcceptTransfer(int64_t user_id, int64_t transfer_id,
                                                const auth::RequestMeta& meta) {
  Transfer t;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kTransferColumns) +
                                                        " FROM transfers WHERE id = ?",
                                                    {transfer_id}));
        if (rows.empty()) return NotFound("no such transfer", "transfer_not_found");
        t = TransferFromRow(rows.rows[0]);
        HERALD_ASSIGN_OR_RETURN(subjects::Subject dest, subjects_.Get(tx, t.to_subject_id));
        if (dest.owner_user_id != user_id) {
          return PermissionDenied("only the transferee may accept", "not_transferee");
        }
        if (t.status != "applied") {
          return FailedPrecondition("this transfer is " + t.status, "invalid_transition");
        }
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE transfers SET status = 'accepted', accepted_at "
                                          "= ? WHERE id = ?",
                                          {clock_.Now(), t.id})
                                   .status());
        t.status = "accepted";
        HERALD_RETURN_IF_ERROR(AddReview(tx, "transfer", t.account_id, t.id,
                                         JsonObjectWriter()
                                             .Add("from_subject", t.from_subject_id)
                                             .Add("to_subject", t.to_subject_id)
                                             .str()));
        return audit_
            .Append(
                tx,
                audit::NewEntry{UserActor(user_id), "transfer.accept", AccountRef(t.account_id),
                                JsonObjectWriter().Add("transfer", t.id).str(), meta.request_id})
            .status();
      }));
  return t;
}

Result<Transfer> AccountService::DeclineTransfer(int64_t user_id, int64_t transfer_id,
                                                 const auth::RequestMeta& meta) {
  Transfer t;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kTransferColumns) +
                                                        " FROM transfers WHERE id = ?",
                                                    {transfer_id}));
        if (rows.empty()) return NotFound("no such transfer", "transfer_not_found");
        t = TransferFromRow(rows.rows[0]);
        HERALD_ASSIGN_OR_RETURN(subjects::Subject dest, subjects_.Get(tx, t.to_subject_id));
        if (dest.owner_user_id != user_id) {
          return PermissionDenied("only the transferee may decline", "not_transferee");
        }
        if (t.status != "applied") {
          return FailedPrecondition("this transfer is " + t.status, "invalid_transition");
        }
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE transfers SET status = 'rejected', decided_at = "
                                          "?, decided_by = ? WHERE id = ?",
                                          {clock_.Now(), UserActor(user_id), t.id})
                                   .status());
        t.status = "rejected";
        HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, t.account_id));
        HERALD_RETURN_IF_ERROR(AddNotice(
            tx, a.owner_user_id, a.id, "transfer_declined", "账号迁移被拒绝 Transfer declined",
            "The transferee declined the transfer of " + a.name + "."));
        return audit_
            .Append(
                tx,
                audit::NewEntry{UserActor(user_id), "transfer.decline", AccountRef(t.account_id),
                                JsonObjectWriter().Add("transfer", t.id).str(), meta.request_id})
            .status();
      }));
  return t;
}

Result<std::vector<TransferOffer>> AccountService::TransfersTo(int64_t user_id, int limit) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT t.id, t.account_id, t.from_subject_id, t.to_subject_id, t.status, "
                "t.applied_at, a.name, a.status, t.decided_at FROM transfers t JOIN subjects s ON "
                "s.id = t.to_subject_id JOIN accounts a ON a.id = t.account_id WHERE "
                "s.owner_user_id = ? ORDER BY t.id DESC LIMIT ?",
                {user_id, int64_t{limit}}));
  std::vector<TransferOffer> out;
  out.reserve(rows.size());
  for (const auto& r : rows.rows) {
    TransferOffer o;
    o.transfer = TransferFromRow(r);
    o.account_name = r.Text(6);
    o.account_status = r.Text(7);
    o.decided_at = r.IsNull(8) ? 0 : r.Int(8);
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<Notice>> AccountService::ListNotices(int64_t user_id, int limit) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx->Query("SELECT id, account_id, kind, title, body, created_at FROM "
                                    "notices WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                                    {user_id, int64_t{limit}}));
  std::vector<Notice> out;
  for (const auto& r : rows.rows) {
    out.push_back(Notice{r.Int(0), OptInt(r, 1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Re-verification

Status AccountService::RestrictAccountsOf(int64_t subject_id, const std::string& actor,
                                          const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM accounts WHERE subject_id = ? AND "
                                                "status IN ('active', 'pending_review')",
                                                {subject_id}));
    for (const auto& r : rows.rows) {
      HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, r.Int(0)));
      HERALD_RETURN_IF_ERROR(Transition(tx, a, "restricted", "registration_data_mismatch",
                                        "the subject's identity no longer verifies", actor, meta));
      HERALD_RETURN_IF_ERROR(RecordStatusSanction(tx, a, "restricted", "registration_data_mismatch",
                                                  "the subject's identity no longer verifies",
                                                  actor, meta));
      HERALD_RETURN_IF_ERROR(AddNotice(
          tx, a.owner_user_id, a.id, "account_restricted", "账号功能受限 Account restricted",
          "The identity behind this account no longer verifies. Verify the subject again or "
          "contact the platform; you may appeal within 30 days."));
    }
    return Status();
  });
}

Result<subjects::Subject> AccountService::ReverifySubject(const std::string& actor,
                                                          int64_t subject_id,
                                                          const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(subjects::Subject s, subjects_.Reverify(actor, subject_id, meta));
  if (s.status == "revoked") HERALD_RETURN_IF_ERROR(RestrictAccountsOf(s.id, actor, meta));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Scheduled jobs

Result<JobReport> AccountService::RunJobs(const auth::RequestMeta& meta) {
  JobReport report;
  const Micros now = clock_.Now();
  const std::string system = "system";

  // PA-8.2: suspended for correction and not corrected in time → closed.
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    report.corrections_closed = 0;
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM accounts WHERE status = "
                                                "'suspended' AND correction_due_at IS NOT NULL "
                                                "AND correction_due_at <= ?",
                                                {now}));
    for (const auto& r : rows.rows) {
      HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, r.Int(0)));
      HERALD_RETURN_IF_ERROR(Transition(tx, a, "closed", "correction_overdue",
                                        "registration data not corrected by the deadline", system,
                                        meta));
      HERALD_RETURN_IF_ERROR(RecordStatusSanction(tx, a, "closed", "correction_overdue",
                                                  "registration data not corrected by the deadline",
                                                  system, meta));
      HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "account_closed",
                                       "账号已关闭 Account closed",
                                       "The registration data was not corrected by the deadline; "
                                       "the account is closed. You may appeal within 30 days."));
      ++report.corrections_closed;
    }
    return Status();
  }));

  // PA-10.2: no login and no use for six months → notice → suspension after the grace period.
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    report.inactivity_notices = report.inactivity_suspensions = 0;
    const Micros cutoff = now - options_.inactivity;
    // Activity since a notice clears it.
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE accounts SET inactivity_notice_at = NULL WHERE inactivity_notice_at IS "
                   "NOT NULL AND (last_active_at > inactivity_notice_at OR owner_user_id IN "
                   "(SELECT id FROM users WHERE last_login_at > accounts.inactivity_notice_at))")
            .status());
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT a.id, a.inactivity_notice_at FROM accounts a JOIN users u ON "
                            "u.id = a.owner_user_id WHERE a.status = 'active' AND "
                            "a.last_active_at < ? AND COALESCE(u.last_login_at, u.created_at) < ?",
                            {cutoff, cutoff}));
    for (const auto& r : rows.rows) {
      HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, r.Int(0)));
      if (r.IsNull(1)) {
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE accounts SET inactivity_notice_at = ? WHERE id "
                                          "= ?",
                                          {now, a.id})
                                   .status());
        HERALD_RETURN_IF_ERROR(AddNotice(
            tx, a.owner_user_id, a.id, "inactivity_notice", "账号长期未使用 Inactive account",
            "The account has not been used for six months. Log in or use it before " +
                FormatRfc3339(now + options_.inactivity_grace) +
                ", or it will be suspended under the service agreement."));
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx, audit::NewEntry{system, "account.inactivity_notice", AccountRef(a.id),
                                            "{}", meta.request_id})
                .status());
        ++report.inactivity_notices;
      } else if (r.Int(1) <= now - options_.inactivity_grace) {
        HERALD_RETURN_IF_ERROR(Transition(tx, a, "suspended", "inactivity",
                                          "no login or use for six months after notice", system,
                                          meta));
        HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "account_suspended",
                                         "账号已暂停 Account suspended",
                                         "Suspended for inactivity under the service agreement. "
                                         "Contact the platform to reactivate it."));
        ++report.inactivity_suspensions;
      }
    }
    return Status();
  }));

  // PA-9.3: expired qualifications withdraw the right to publish in the category.
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    report.qualifications_expired = 0;
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, account_id FROM qualifications "
                                                "WHERE status = 'approved' AND expires_at <= ?",
                                                {now}));
    for (const auto& r : rows.rows) {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("UPDATE qualifications SET status = 'expired' WHERE id = ?", {r.Int(0)})
              .status());
      HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, r.Int(1)));
      HERALD_RETURN_IF_ERROR(AddNotice(tx, a.owner_user_id, a.id, "qualification_expired",
                                       "资质已过期 Qualification expired",
                                       "The qualification has expired: submit a renewed one to "
                                       "publish in the category " +
                                           a.category + " again."));
      HERALD_RETURN_IF_ERROR(
          audit_
              .Append(tx, audit::NewEntry{system, "qualification.expire", AccountRef(a.id),
                                          JsonObjectWriter().Add("qualification", r.Int(0)).str(),
                                          meta.request_id})
              .status());
      ++report.qualifications_expired;
    }
    return Status();
  }));

  // PA-9.3: identities are re-checked after `reverify_after`; failures restrict the accounts.
  {
    HERALD_ASSIGN_OR_RETURN(auto due, subjects_.DueForReverification(now - options_.reverify_after,
                                                                     options_.reverify_batch));
    for (int64_t id : due) {
      auto s = ReverifySubject(system, id, meta);
      if (!s.ok()) {
        if (s.status().code() == StatusCode::kUnavailable) break;  // try again next run
        return s.status();
      }
      ++report.subjects_reverified;
      if (s->status == "revoked") ++report.subjects_revoked;
    }
  }

  // PA-11.2 / PA17-9: cancellation after the cooling-off period; purge after retention.
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    report.cancellations_completed = report.purged = 0;
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM accounts WHERE status = "
                                                "'cancelling' AND cancel_effective_at <= ?",
                                                {now}));
    for (const auto& r : rows.rows) {
      HERALD_ASSIGN_OR_RETURN(Account a, Load(tx, r.Int(0)));
      HERALD_RETURN_IF_ERROR(Transition(tx, a, "cancelled", "self_cancellation",
                                        "cooling-off period ended", system, meta));
      HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE accounts SET purge_after = ? WHERE id = ?",
                                        {now + options_.retention, a.id})
                                 .status());
      ++report.cancellations_completed;
    }
    HERALD_ASSIGN_OR_RETURN(auto purge, tx.Query("SELECT id FROM accounts WHERE status = "
                                                 "'cancelled' AND purged_at IS NULL AND "
                                                 "purge_after <= ?",
                                                 {now}));
    for (const auto& r : purge.rows) {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("UPDATE accounts SET bio = '', avatar_media_id = NULL, avatar_caption = '', "
                     "contact = '', "
                     "business_scope = '', purged_at = ? WHERE id = ?",
                     {now, r.Int(0)})
              .status());
      HERALD_RETURN_IF_ERROR(
          audit_
              .Append(tx, audit::NewEntry{system, "account.purge", AccountRef(r.Int(0)), "{}",
                                          meta.request_id})
              .status());
      ++report.purged;
    }
    return Status();
  }));
  return report;
}

// ---------------------------------------------------------------------------------------------

std::vector<storage::Migration> AccountService::Migrations() {
  std::vector<storage::Migration> all = {
      {"accounts/0001_accounts", R"sql(
CREATE TABLE documents (
  kind TEXT NOT NULL,
  version BIGINT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  published_at BIGINT NOT NULL,
  published_by TEXT NOT NULL,
  PRIMARY KEY (kind, version)
);
CREATE TABLE document_acceptances (
  user_id BIGINT NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL,
  version BIGINT NOT NULL,
  accepted_at BIGINT NOT NULL,
  client TEXT NOT NULL,
  PRIMARY KEY (user_id, kind, version)
);
CREATE TABLE accounts (
  id {{AUTO_ID}},
  subject_id BIGINT NOT NULL REFERENCES subjects (id),
  owner_user_id BIGINT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  bio TEXT NOT NULL,
  avatar_media_id TEXT,
  avatar_caption TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL,
  registered_place TEXT NOT NULL,
  operating_place TEXT NOT NULL,
  contact TEXT NOT NULL,
  business_scope TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending_review', 'active', 'restricted', 'suspended',
    'closed', 'cancelling', 'cancelled', 'rejected')),
  status_reason TEXT NOT NULL,
  status_changed_at BIGINT NOT NULL,
  correction_due_at BIGINT,
  cancel_effective_at BIGINT,
  inactivity_notice_at BIGINT,
  purge_after BIGINT,
  purged_at BIGINT,
  agreement_version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_active_at BIGINT NOT NULL
);
CREATE INDEX accounts_subject ON accounts (subject_id);
CREATE INDEX accounts_owner ON accounts (owner_user_id);
CREATE INDEX accounts_name ON accounts (name);
CREATE INDEX accounts_status ON accounts (status);
CREATE TABLE account_events (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  time BIGINT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  note TEXT NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX account_events_account ON account_events (account_id, id);
CREATE TABLE subject_changes (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  from_subject_id BIGINT NOT NULL REFERENCES subjects (id),
  to_subject_id BIGINT NOT NULL REFERENCES subjects (id),
  changed_at BIGINT NOT NULL,
  transfer_id BIGINT NOT NULL
);
CREATE TABLE qualifications (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL CHECK (kind IN ('professional', 'news_licence')),
  licence_number TEXT NOT NULL,
  issuer TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  document_media_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'revoked', 'expired')),
  submitted_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT,
  decision_reason TEXT NOT NULL
);
CREATE INDEX qualifications_account ON qualifications (account_id);
CREATE TABLE account_reviews (
  id {{AUTO_ID}},
  kind TEXT NOT NULL CHECK (kind IN ('name', 'over_cap', 'registration_data', 'qualification',
    'transfer')),
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  ref_id BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  detail TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT,
  reason TEXT
);
CREATE INDEX account_reviews_queue ON account_reviews (status, due_at);
CREATE TABLE transfers (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  from_subject_id BIGINT NOT NULL REFERENCES subjects (id),
  to_subject_id BIGINT NOT NULL REFERENCES subjects (id),
  status TEXT NOT NULL CHECK (status IN ('applied', 'accepted', 'approved', 'rejected')),
  applied_at BIGINT NOT NULL,
  accepted_at BIGINT,
  decided_at BIGINT,
  decided_by TEXT
);
CREATE TABLE protected_names (
  id {{AUTO_ID}},
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  bound_subject_id BIGINT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE closed_names (
  name TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  closed_at BIGINT NOT NULL
);
CREATE TABLE notices (
  id {{AUTO_ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  account_id BIGINT,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE INDEX notices_user ON notices (user_id, id);
INSERT INTO documents (kind, version, title, body, published_at, published_by) VALUES
  ('service_agreement', 1, 'Herald 公众账号服务协议',
   '本协议约定平台与公众账号运营者的权利义务。运营者应当遵守法律法规，履行信息内容管理主体责任，如实提交注册信息，不得冒用他人身份，不得买卖、出租、出借账号。长期未登录、未使用的账号，平台可依协议暂停或终止服务。', 0, 'system'),
  ('platform_rules', 1, 'Herald 平台管理规则',
   '平台实行分类注册、分级管理、真实身份信息认证，对违法违规账号采取警示、限制功能、暂停更新、关闭等处置措施，并依法保存记录。', 0, 'system'),
  ('convention', 1, 'Herald 平台公约',
   '运营者和用户共同维护清朗网络空间：尊重原创，不发布谣言，不侵犯他人合法权益。', 0, 'system');
)sql",
       ""},
      // Account reviews move into the one review queue (review/0001 runs before this).
      {"accounts/0002_unified_review_queue", R"sql(
INSERT INTO review_items (kind, category, severity, account_id, ref_id, summary, detail, status,
  created_at, due_at, claimed_by, escalated_by, escalation_note, decided_by, decided_at, decision,
  reason_code, note)
SELECT r.kind, a.category, 2, r.account_id, r.ref_id, r.kind || ': ' || a.name, r.detail,
  r.status, r.created_at, r.due_at, '', '', '', COALESCE(r.decided_by, ''), r.decided_at,
  CASE r.status WHEN 'approved' THEN 'approve' WHEN 'rejected' THEN 'reject' ELSE '' END,
  CASE r.status WHEN 'approved' THEN 'compliant' WHEN 'rejected' THEN 'policy_violation'
    ELSE '' END,
  COALESCE(r.reason, '')
FROM account_reviews r JOIN accounts a ON a.id = r.account_id ORDER BY r.id;
DROP TABLE account_reviews;
)sql",
       ""}};
  for (auto& m : MemberMigrations()) all.push_back(m);
  return all;
}

}  // namespace herald::accounts
