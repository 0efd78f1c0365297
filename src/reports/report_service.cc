#include "reports/report_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::reports {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr std::string_view kColumns =
    "id, reporter_user_id, target_type, target_id, reported_user_id, account_id, category, "
    "description, evidence_links, evidence_media, rights_holder, proof_links, proof_media, "
    "contact_masked, stage, weight_permille, campaign, campaign_reasons, campaign_group, "
    "review_item_id, accepted_at, due_at, screened_at, handled_at, feedback_at, overdue, outcome, "
    "outcome_reason, outcome_text, sanction_id";

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}
Value OptValue(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(std::monostate{}); }

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  for (auto part : Split(s, '\n')) {
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}
std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) {
    if (!out.empty()) out += '\n';
    out += x;
  }
  return out;
}

Report FromRow(const Row& r) {
  Report x;
  x.id = r.Int(0);
  x.reporter_user_id = OptInt(r, 1);
  x.target_type = r.Text(2);
  x.target_id = r.Int(3);
  x.reported_user_id = OptInt(r, 4);
  x.account_id = OptInt(r, 5);
  x.category = r.Text(6);
  x.description = r.Text(7);
  x.evidence.links = Lines(r.Text(8));
  x.evidence.media_ids = Lines(r.Text(9));
  x.rights_holder = r.Text(10);
  x.rights_proof.links = Lines(r.Text(11));
  x.rights_proof.media_ids = Lines(r.Text(12));
  x.contact_masked = r.Text(13);
  x.stage = r.Text(14);
  x.weight = static_cast<double>(r.Int(15)) / 1000.0;
  x.campaign = r.Int(16) != 0;
  x.campaign_reasons = r.Text(17);
  x.campaign_group = OptInt(r, 18);
  x.review_item_id = OptInt(r, 19);
  x.accepted_at = r.Int(20);
  x.due_at = r.Int(21);
  x.screened_at = OptInt(r, 22);
  x.handled_at = OptInt(r, 23);
  x.feedback_at = OptInt(r, 24);
  x.overdue = r.Int(25) != 0;
  x.outcome = r.Text(26);
  x.outcome_reason = r.Text(27);
  x.outcome_text = r.Text(28);
  x.sanction_id = OptInt(r, 29);
  return x;
}

const CategoryInfo* FindCategory(const std::string& code) {
  for (const auto& c : Categories()) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

bool IsPhone(std::string_view s) {
  if (s.size() != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool IsEmail(std::string_view s) {
  if (s.size() < 5 || s.size() > 100) return false;
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  auto dot = s.find('.', at);
  if (dot == std::string_view::npos || dot == at + 1 || dot + 1 >= s.size()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '"';
  });
}
std::string MaskContact(const std::string& c) {
  if (IsPhone(c)) return c.substr(0, 3) + "****" + c.substr(7);
  auto at = c.find('@');
  return c.substr(0, 1) + "***" + c.substr(at);
}

bool IsMediaId(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status CheckEvidence(Transaction& tx, const Evidence& e, std::optional<int64_t> user,
                     const std::string& field) {
  if (e.links.size() > 10) return InvalidArgument("at most 10 links", "invalid_evidence", field);
  if (e.media_ids.size() > 9) {
    return InvalidArgument("at most 9 screenshots", "invalid_evidence", field);
  }
  for (const auto& l : e.links) {
    const bool scheme = StartsWith(l, "https://") || StartsWith(l, "http://");
    const bool clean = std::all_of(l.begin(), l.end(), [](char c) {
      return static_cast<unsigned char>(c) > ' ' && c != 0x7f;
    });
    if (!scheme || l.size() > 500 || !clean || !IsValidUtf8(l) ||
        l.find("://", 0) + 3 >= l.size()) {
      return InvalidArgument("evidence links must be http or https URLs of at most 500 bytes",
                             "invalid_evidence", field);
    }
  }
  if (!e.media_ids.empty() && !user) {
    return InvalidArgument("sign in to attach uploaded screenshots; give links otherwise",
                           "invalid_evidence", field);
  }
  for (const auto& m : e.media_ids) {
    if (!IsMediaId(m)) return InvalidArgument("not a media id", "invalid_evidence", field);
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT id FROM media_objects WHERE id = ? AND uploaded_by = ?", {m, *user}));
    if (rows.empty()) {
      return InvalidArgument("screenshots must be images you uploaded (POST /api/v1/media)",
                             "invalid_evidence", field);
    }
  }
  return Status();
}

double WeightOf(int64_t decided, int64_t upheld) {
  return (static_cast<double>(upheld) + 1.0) / (static_cast<double>(decided) + 2.0);
}

}  // namespace

const std::vector<CategoryInfo>& Categories() {
  static const std::vector<CategoryInfo> kAll = {
      {"illegal_content", "违法违规内容", "Illegal content", false, true},
      {"rumour", "谣言、虚假信息", "Rumour or false information", false, false},
      {"fraud", "诈骗", "Fraud", false, true},
      {"pornography", "色情低俗", "Pornography or vulgar content", false, true},
      {"impersonation", "仿冒他人", "Impersonation", false, false},
      {"copyright_infringement", "侵犯著作权", "Copyright infringement", true, false},
      {"rights_infringement", "侵犯名誉、隐私等权益", "Infringes my rights or privacy", true,
       false},
      {"cyber_violence", "网络暴力", "Cyber violence", false, false},
      {"spam", "垃圾信息、虚假流量", "Spam or fake traffic", false, false},
      {"other", "其他", "Other", false, false},
  };
  return kAll;
}

const std::vector<std::string>& TargetTypes() {
  static const std::vector<std::string> kAll = {"account", "article", "comment", "group",
                                                "message"};
  return kAll;
}

Micros Options::handle_for(const std::string& category) const {
  const CategoryInfo* c = FindCategory(category);
  return c && c->urgent ? handle_within_urgent : handle_within;
}

RelationResolver SqlRelationResolver() {
  return [](Transaction& tx, int64_t user_id) -> Result<std::vector<std::string>> {
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT 'subject:' || id FROM subjects WHERE owner_user_id = ? "
                 "UNION SELECT 'phone:' || phone_index FROM subjects WHERE owner_user_id = ? "
                 "UNION SELECT 'subject:' || subject_id FROM accounts WHERE owner_user_id = ? "
                 "UNION SELECT 'subject:' || a.subject_id FROM account_members m JOIN accounts a "
                 "ON a.id = m.account_id WHERE m.user_id = ?",
                 {user_id, user_id, user_id, user_id}));
    std::vector<std::string> out;
    for (const auto& r : rows.rows) out.push_back(r.Text(0));
    return out;
  };
}

TargetResolver SqlTargetResolver() {
  return [](Transaction& tx, const std::string& type, int64_t id) -> Result<TargetInfo> {
    std::string sql;
    if (type == "account") {
      sql = "SELECT owner_user_id, id, name FROM accounts WHERE id = ?";
    } else if (type == "article") {
      sql =
          "SELECT c.owner_user_id, a.account_id, a.title FROM articles a JOIN accounts c ON c.id "
          "= a.account_id WHERE a.id = ?";
    } else if (type == "comment") {
      sql = "SELECT user_id, account_id, '' FROM comments WHERE id = ?";
    } else if (type == "group") {
      sql = "SELECT creator_user_id, NULL, name FROM chat_groups WHERE id = ?";
    } else if (type == "message") {
      sql = "SELECT user_id, NULL, '' FROM group_messages WHERE id = ?";
    } else {
      return InvalidArgument("unknown target type", "invalid_target_type", "target.type");
    }
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {id}));
    if (rows.empty()) return NotFound("no such " + type, "target_not_found", "target.id");
    TargetInfo t;
    t.reported_user_id = OptInt(rows.rows[0], 0);
    t.account_id = OptInt(rows.rows[0], 1);
    t.label = rows.rows[0].Text(2);
    return t;
  };
}

ReportService::ReportService(storage::Database& db, const audit::AuditLog& audit,
                             const Clock& clock, Random& random, const auth::PiiKeys& keys,
                             review::ReviewQueue& review,
                             const notifications::NotificationService& notifications,
                             Options options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      random_(random),
      keys_(keys),
      review_(review),
      notifications_(notifications),
      options_(std::move(options)) {
  if (!options_.resolver) options_.resolver = SqlTargetResolver();
  review_.RegisterHandler(
      "report", [this](Transaction& tx, const review::Item& item) { return Handle(tx, item); });
}

Result<Submitted> ReportService::Submit(const Reporter& who, const NewReport& in) {
  if (std::find(TargetTypes().begin(), TargetTypes().end(), in.target_type) ==
      TargetTypes().end()) {
    return InvalidArgument("target.type must be account, article, comment, group or message",
                           "invalid_target_type", "target.type");
  }
  if (in.target_id <= 0) {
    return NotFound("no such " + in.target_type, "target_not_found", "target.id");
  }
  const CategoryInfo* cat = FindCategory(in.category);
  if (cat == nullptr) {
    return InvalidArgument("unknown category (see GET /api/v1/policies/reports)",
                           "invalid_category", "category");
  }
  HERALD_ASSIGN_OR_RETURN(
      std::string description,
      CheckTextField(in.description, 1, 2000, "invalid_description", "description", true));
  std::string rights_holder;
  if (cat->infringement) {
    HERALD_ASSIGN_OR_RETURN(
        rights_holder,
        CheckTextField(in.rights_holder, 0, 100, "rights_holder_required", "rights_holder"));
    if (rights_holder.empty()) {
      return InvalidArgument("an infringement complaint names the rights holder",
                             "rights_holder_required", "rights_holder");
    }
    if (in.rights_proof.links.empty() && in.rights_proof.media_ids.empty()) {
      return InvalidArgument(
          "an infringement complaint carries proof of the rights (links or screenshots)",
          "rights_proof_required", "rights_proof");
    }
  } else if (!in.rights_holder.empty() || !in.rights_proof.links.empty() ||
             !in.rights_proof.media_ids.empty()) {
    return InvalidArgument("rights proof belongs to infringement complaints only",
                           "invalid_evidence", "rights_proof");
  }
  std::string contact(Trim(in.contact));
  if (!who.user_id && contact.empty()) {
    return InvalidArgument("give a phone number or e-mail address for the feedback",
                           "contact_required", "contact");
  }
  if (!contact.empty() && !IsPhone(contact) && !IsEmail(contact)) {
    return InvalidArgument("contact must be a mobile number or an e-mail address",
                           "invalid_contact", "contact");
  }

  const Micros now = clock_.Now();
  const std::string ip_hash =
      crypto::BlindIndex(keys_.index_key, "reports.client", who.meta.client);
  const std::string device_hash =
      who.meta.device.empty()
          ? std::string()
          : crypto::BlindIndex(keys_.index_key, "reports.device", who.meta.device);
  const std::string reporter_key =
      who.user_id ? "user:" + std::to_string(*who.user_id) : "ip:" + ip_hash;
  const int limit = who.user_id ? options_.daily_limit_user : options_.daily_limit_anonymous;
  std::string token;
  if (!who.user_id) token = "hr_" + crypto::Base64UrlEncode(random_.Bytes(32));

  Report out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(CheckEvidence(tx, in.evidence, who.user_id, "evidence"));
        HERALD_RETURN_IF_ERROR(CheckEvidence(tx, in.rights_proof, who.user_id, "rights_proof"));
        if (limit > 0) {
          HERALD_ASSIGN_OR_RETURN(
              auto n,
              tx.Query("SELECT COUNT(*) FROM reports WHERE reporter_key = ? AND accepted_at > ?",
                       {reporter_key, now - kMicrosPerDay}));
          if (n.rows.at(0).Int(0) >= limit) {
            return ResourceExhausted("too many reports today; try again tomorrow",
                                     "too_many_reports");
          }
        }
        // One open item per target even when two first reports race (PostgreSQL; SQLite
        // writers are serialised anyway).
        HERALD_RETURN_IF_ERROR(
            tx.LockExclusive("reports:" + in.target_type + ":" + std::to_string(in.target_id)));
        HERALD_ASSIGN_OR_RETURN(TargetInfo target,
                                options_.resolver(tx, in.target_type, in.target_id));
        // The reporter's record.
        HERALD_ASSIGN_OR_RETURN(
            auto rec,
            tx.Query("SELECT decided, upheld FROM report_reporters WHERE reporter_key = ?",
                     {reporter_key}));
        const int64_t decided = rec.empty() ? 0 : rec.rows[0].Int(0);
        const int64_t upheld = rec.empty() ? 0 : rec.rows[0].Int(1);
        const double weight = WeightOf(decided, upheld);
        const bool poor = decided >= options_.poor_min_decided && weight < options_.poor_weight;

        Value contact_enc = std::monostate{};
        std::string contact_masked;
        if (!contact.empty()) {
          contact_enc =
              storage::Blob{crypto::Seal(keys_.encryption_key, contact, "reports.contact")};
          contact_masked = MaskContact(contact);
        }
        const Micros due = now + options_.handle_for(in.category);
        HERALD_ASSIGN_OR_RETURN(
            auto ins,
            tx.Query("INSERT INTO reports (reporter_user_id, reporter_key, ip_hash, device_hash, "
                     "poor_record, target_type, target_id, reported_user_id, account_id, category, "
                     "description, evidence_links, evidence_media, rights_holder, proof_links, "
                     "proof_media, key_id, contact_enc, contact_masked, token_hash, stage, "
                     "weight_permille, campaign, campaign_reasons, accepted_at, due_at, overdue, "
                     "outcome, "
                     "outcome_reason, outcome_text, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, "
                     "?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, 0, '', ?, ?, 0, '', '', '', ?) "
                     "RETURNING id",
                     {OptValue(who.user_id),
                      reporter_key,
                      ip_hash,
                      device_hash,
                      int64_t{poor ? 1 : 0},
                      in.target_type,
                      in.target_id,
                      OptValue(target.reported_user_id),
                      OptValue(target.account_id),
                      in.category,
                      description,
                      JoinLines(in.evidence.links),
                      JoinLines(in.evidence.media_ids),
                      rights_holder,
                      JoinLines(in.rights_proof.links),
                      JoinLines(in.rights_proof.media_ids),
                      keys_.key_id,
                      contact_enc,
                      contact_masked,
                      token.empty() ? std::string() : crypto::Sha256Hex(token),
                      static_cast<int64_t>(std::lround(weight * 1000)),
                      now,
                      due,
                      who.meta.request_id}));
        const int64_t id = ins.rows.at(0).Int(0);

        // Screening: the target's open item (one per target), or a new one.
        HERALD_ASSIGN_OR_RETURN(
            auto open,
            tx.Query("SELECT review_item_id FROM reports WHERE target_type = ? AND "
                     "target_id = ? AND stage = 'screened' AND review_item_id IS NOT NULL "
                     "ORDER BY id LIMIT 1",
                     {in.target_type, in.target_id}));
        int64_t item_id = 0;
        if (!open.empty()) {
          item_id = open.rows[0].Int(0);
        } else {
          review::NewItem item;
          item.kind = "report";
          item.category = in.category;
          item.severity = cat->urgent ? 3 : 2;
          item.account_id = target.account_id;
          item.ref_id = id;
          item.summary = "举报 " + in.target_type + " #" + std::to_string(in.target_id) +
                         (target.label.empty() ? "" : " " + target.label.substr(0, 120));
          JsonObjectWriter d;
          d.Add("target_type", in.target_type).Add("target_id", in.target_id);
          d.Add("first_report_id", id).Add("category", in.category);
          item.detail = d.str();
          item.due_at = due;
          HERALD_ASSIGN_OR_RETURN(item_id, review_.Enqueue(tx, item));
        }
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE reports SET stage = 'screened', screened_at = ?, "
                                          "review_item_id = ? WHERE id = ?",
                                          {now, item_id, id})
                                   .status());

        // Campaign check over the target's reports in the window.
        HERALD_ASSIGN_OR_RETURN(
            auto win,
            tx.Query("SELECT r.id, r.reporter_key, r.ip_hash, r.device_hash, r.poor_record, "
                     "u.created_at, r.accepted_at FROM reports r LEFT JOIN users u ON u.id = "
                     "r.reporter_user_id WHERE r.target_type = ? AND r.target_id = ? AND "
                     "r.accepted_at >= ? AND r.stage = 'screened' ORDER BY r.id",
                     {in.target_type, in.target_id, now - options_.campaign_window}));
        // Reporters (keys "user:<id>") related to another reporter in the window.
        std::set<std::string> related;
        if (options_.relations) {
          std::map<std::string, std::set<std::string>> reporters_by_link;
          std::set<std::string> seen;
          for (const auto& r : win.rows) {
            const std::string key = r.Text(1);
            if (key.rfind("user:", 0) != 0 || !seen.insert(key).second) continue;
            HERALD_ASSIGN_OR_RETURN(auto links, options_.relations(tx, std::stoll(key.substr(5))));
            for (const auto& link : links) reporters_by_link[link].insert(key);
          }
          for (const auto& entry : reporters_by_link) {
            if (entry.second.size() > 1) related.insert(entry.second.begin(), entry.second.end());
          }
        }
        std::vector<std::pair<int64_t, std::string>> suspicious;
        for (const auto& r : win.rows) {
          std::vector<std::string> reasons;
          if (!r.IsNull(5) && r.Int(6) - r.Int(5) < options_.new_user_age) {
            reasons.push_back("new_user");
          }
          if (r.Int(4) != 0) reasons.push_back("poor_record");
          for (const auto& o : win.rows) {
            if (o.Int(0) == r.Int(0) || o.Text(1) == r.Text(1)) continue;
            if (o.Text(2) == r.Text(2) || (!r.Text(3).empty() && o.Text(3) == r.Text(3))) {
              reasons.push_back("shared_network");
              break;
            }
          }
          if (related.count(r.Text(1)) != 0) reasons.push_back("related_accounts");
          if (!reasons.empty()) {
            std::string joined;
            for (const auto& x : reasons) joined += (joined.empty() ? "" : ",") + x;
            suspicious.emplace_back(r.Int(0), joined);
          }
        }
        if (static_cast<int>(suspicious.size()) >= options_.campaign_min_reports) {
          for (const auto& [rid, reasons] : suspicious) {
            HERALD_RETURN_IF_ERROR(
                tx.Execute("UPDATE reports SET campaign = 1, campaign_reasons = ?, "
                           "campaign_group = ? WHERE id = ?",
                           {reasons, item_id, rid})
                    .status());
          }
        }
        HERALD_RETURN_IF_ERROR(Reprioritise(tx, item_id));

        if (who.user_id) {
          notifications::NewNotification n;
          n.user_id = *who.user_id;
          n.kind = "report_received";
          n.title = "举报已受理 / Report accepted";
          n.body = "您的举报（编号 " + std::to_string(id) +
                   "）已受理，我们将在处理时限内反馈结果。\n" + "Your report #" +
                   std::to_string(id) +
                   " was accepted; we will tell you the outcome within the time limit.";
          n.link = "/api/v1/reports/" + std::to_string(id);
          n.ref = "report:" + std::to_string(id);
          HERALD_RETURN_IF_ERROR(notifications_.Notify(tx, n).status());
        }
        JsonObjectWriter w;
        w.Add("target_type", in.target_type).Add("target_id", in.target_id);
        w.Add("category", in.category).Add("review_item_id", item_id);
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx, {who.user_id ? "user:" + std::to_string(*who.user_id) : "anonymous",
                             "report.submit", "report:" + std::to_string(id), w.str(),
                             who.meta.request_id})
                .status());
        HERALD_ASSIGN_OR_RETURN(
            auto back,
            tx.Query("SELECT " + std::string(kColumns) + " FROM reports WHERE id = ?", {id}));
        out = FromRow(back.rows.at(0));
        return Status();
      }));
  return Submitted{std::move(out), std::move(token)};
}

Status ReportService::Reprioritise(Transaction& tx, int64_t item_id) {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT category, weight_permille, campaign, due_at FROM reports "
                          "WHERE review_item_id = ? ORDER BY id",
                          {item_id}));
  if (rows.empty()) return Status();
  double score = 0;
  bool urgent = false;
  std::optional<Micros> due;
  for (const auto& r : rows.rows) {
    if (r.Int(2) != 0) continue;  // campaign-suspected: no effect on priority
    score += static_cast<double>(r.Int(1)) / 1000.0;
    const CategoryInfo* c = FindCategory(r.Text(0));
    urgent = urgent || (c && c->urgent);
    due = due ? std::min(*due, r.Int(3)) : r.Int(3);
  }
  const CategoryInfo* first = FindCategory(rows.rows[0].Text(0));
  if (!due) {
    // Only campaign-suspected reports: the first report's own terms.
    due = rows.rows[0].Int(3);
    urgent = first && first->urgent;
  }
  int severity = urgent ? 3 : 2;
  if (score >= 2.0) ++severity;
  if (score >= 4.0) ++severity;
  severity = std::min(severity, 4);
  return review_.Reprioritise(tx, item_id, severity, *due);
}

Status ReportService::LinkSanction(Transaction& tx, int64_t sanction_id,
                                   const std::vector<std::string>& evidence) const {
  auto id_after = [](const std::string& ref, std::string_view prefix) -> std::optional<int64_t> {
    if (ref.rfind(prefix, 0) != 0 || ref.size() == prefix.size() ||
        ref.size() > prefix.size() + 15) {
      return std::nullopt;
    }
    int64_t v = 0;
    for (size_t i = prefix.size(); i < ref.size(); ++i) {
      if (ref[i] < '0' || ref[i] > '9') return std::nullopt;
      v = v * 10 + (ref[i] - '0');
    }
    return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
  };
  for (const auto& ref : evidence) {
    if (auto item = id_after(ref, "review:")) {
      HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE reports SET sanction_id = ? WHERE review_item_id "
                                        "= ? AND sanction_id IS NULL",
                                        {sanction_id, *item})
                                 .status());
    } else if (auto report = id_after(ref, "report:")) {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("UPDATE reports SET sanction_id = ? WHERE id = ? AND sanction_id IS NULL",
                     {sanction_id, *report})
              .status());
    }
  }
  return Status();
}

Status ReportService::Handle(Transaction& tx, const review::Item& item) {
  const bool upheld = item.decision == "reject";
  const Micros now = item.decided_at.value_or(clock_.Now());
  std::string reason_zh, reason_en;
  for (const auto& c : review::DecisionReasons()) {
    if (c.code == item.reason_code) {
      reason_zh = c.label_zh;
      reason_en = c.label_en;
    }
  }
  // A sanction issued separately may be named in the note as "sanction:<id>".
  std::optional<int64_t> sanction_id;
  if (auto pos = item.note.find("sanction:"); pos != std::string::npos) {
    int64_t v = 0;
    size_t i = pos + 9;
    while (i < item.note.size() && item.note[i] >= '0' && item.note[i] <= '9' && v < 1e15) {
      v = v * 10 + (item.note[i++] - '0');
    }
    if (v > 0) {
      HERALD_ASSIGN_OR_RETURN(auto s, tx.Query("SELECT id FROM sanctions WHERE id = ?", {v}));
      if (!s.empty()) sanction_id = v;
    }
  }
  const std::string text =
      upheld ? "经核查，举报属实（" + reason_zh +
                   "），已依规处理。如对处理结果有异议，可通过申诉渠道提出。\n" + "Upheld (" +
                   reason_en +
                   "): the platform has acted under its rules. Appeals: " + options_.appeal_path
             : "经核查，未发现所举报的违规情形（" + reason_zh + "），感谢您的监督。\n" +
                   "Not upheld (" + reason_en + "): no breach was found. Thank you for reporting.";
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT id, reporter_user_id, reporter_key, target_type, target_id, "
                          "reported_user_id FROM reports WHERE review_item_id = ? AND stage = "
                          "'screened' ORDER BY id",
                          {item.id}));
  std::optional<int64_t> reported;
  std::string target_type;
  int64_t target_id = 0;
  for (const auto& r : rows.rows) {
    const int64_t id = r.Int(0);
    target_type = r.Text(3);
    target_id = r.Int(4);
    if (!r.IsNull(5)) reported = r.Int(5);
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE reports SET stage = 'feedback', handled_at = ?, feedback_at = ?, "
                   "outcome = ?, outcome_reason = ?, outcome_text = ?, sanction_id = COALESCE(?, "
                   "sanction_id) WHERE id = ?",
                   {now, now, std::string(upheld ? "upheld" : "not_upheld"), item.reason_code, text,
                    OptValue(sanction_id), id})
            .status());
    HERALD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO report_reporters (reporter_key, decided, upheld) VALUES (?, 1, ?) "
                   "ON CONFLICT (reporter_key) DO UPDATE SET decided = report_reporters.decided "
                   "+ 1, upheld = report_reporters.upheld + ?",
                   {r.Text(2), int64_t{upheld ? 1 : 0}, int64_t{upheld ? 1 : 0}})
            .status());
    if (!r.IsNull(1)) {
      notifications::NewNotification n;
      n.user_id = r.Int(1);
      n.kind = "report_outcome";
      n.title = upheld ? "举报处理结果：属实 / Report upheld"
                       : "举报处理结果：未发现违规 / Report not upheld";
      n.body = text;
      n.link = "/api/v1/reports/" + std::to_string(id);
      n.ref = "report:" + std::to_string(id);
      HERALD_RETURN_IF_ERROR(notifications_.Notify(tx, n).status());
    }
  }
  if (upheld && reported) {
    notifications::NewNotification n;
    n.user_id = *reported;
    n.kind = "report_against_you";
    n.title = "您的内容被举报并经核实 / A report against you was upheld";
    n.body = "针对您的" + target_type + " #" + std::to_string(target_id) + " 的举报经核查属实（" +
             reason_zh + "）。平台将依规处理，处置措施另行通知；如有异议可申诉：" +
             options_.appeal_path + "\nA report against your " + target_type + " #" +
             std::to_string(target_id) + " was upheld (" + reason_en +
             "). Any sanction is notified separately; you may appeal at " + options_.appeal_path +
             ".";
    n.ref = target_type + ":" + std::to_string(target_id);
    HERALD_RETURN_IF_ERROR(notifications_.Notify(tx, n).status());
  }
  return Status();
}

Result<Report> ReportService::Get(int64_t id, std::optional<int64_t> user_id, bool staff,
                                  const std::string& token) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT " + std::string(kColumns) +
                                                   ", token_hash FROM reports WHERE id = ?",
                                               {id}));
  if (rows.empty()) return NotFound("no such report", "report_not_found");
  Report r = FromRow(rows.rows[0]);
  const std::string hash = rows.rows[0].Text(30);
  const bool by_token =
      !token.empty() && !hash.empty() && crypto::ConstantTimeEquals(crypto::Sha256Hex(token), hash);
  const bool mine = user_id && r.reporter_user_id && *user_id == *r.reporter_user_id;
  if (!staff && !mine && !by_token) return NotFound("no such report", "report_not_found");
  return r;
}

Result<std::vector<Report>> ReportService::Mine(int64_t user_id, std::optional<int64_t> before_id,
                                                int limit) const {
  if (limit < 1 || limit > 100) {
    return InvalidArgument("limit must be 1 to 100", "invalid_limit", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM reports WHERE reporter_user_id = ?";
  std::vector<Value> params = {user_id};
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Report> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<Report>> ReportService::List(const Filter& f) const {
  if (f.limit < 1 || f.limit > 100) {
    return InvalidArgument("limit must be 1 to 100", "invalid_limit", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM reports WHERE 1 = 1";
  std::vector<Value> params;
  if (!f.stage.empty()) {
    if (f.stage != "accepted" && f.stage != "screened" && f.stage != "handled" &&
        f.stage != "feedback") {
      return InvalidArgument("stage must be accepted, screened, handled or feedback",
                             "invalid_filter", "stage");
    }
    sql += " AND stage = ?";
    params.push_back(f.stage);
  }
  if (!f.category.empty()) {
    if (!FindCategory(f.category)) {
      return InvalidArgument("unknown category", "invalid_filter", "category");
    }
    sql += " AND category = ?";
    params.push_back(f.category);
  }
  if (!f.target_type.empty()) {
    if (std::find(TargetTypes().begin(), TargetTypes().end(), f.target_type) ==
        TargetTypes().end()) {
      return InvalidArgument("unknown target type", "invalid_filter", "target_type");
    }
    sql += " AND target_type = ?";
    params.push_back(f.target_type);
  }
  if (f.campaign) {
    sql += " AND campaign = ?";
    params.push_back(int64_t{*f.campaign ? 1 : 0});
  }
  if (f.before_id) {
    sql += " AND id < ?";
    params.push_back(*f.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{f.limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Report> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<JobReport> ReportService::RunJobs(Micros now) {
  JobReport rep;
  std::vector<int64_t> items;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT DISTINCT review_item_id FROM reports WHERE stage = "
                             "'screened' AND review_item_id IS NOT NULL ORDER BY review_item_id"));
    for (const auto& r : rows.rows) items.push_back(r.Int(0));
  }
  const review::RequestInfo system{"system:reports", ""};
  for (int64_t item_id : items) {
    HERALD_ASSIGN_OR_RETURN(review::Item item, review_.Get(item_id));
    if (!item.open() || now <= item.due_at) continue;
    if (item.status != "escalated") {
      auto esc = review_.Escalate(item_id, "举报超过处理时限 / report past its time limit", system);
      if (esc.ok()) {
        ++rep.escalated;
      } else if (esc.status().reason() != "claimed_by_other") {
        return esc.status();
      }
    }
    HERALD_RETURN_IF_ERROR(
        storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
          HERALD_ASSIGN_OR_RETURN(
              auto due, tx.Query("SELECT id FROM reports WHERE review_item_id = ? AND stage = "
                                 "'screened' AND overdue = 0 ORDER BY id",
                                 {item_id}));
          for (const auto& r : due.rows) {
            HERALD_RETURN_IF_ERROR(
                tx.Execute("UPDATE reports SET overdue = 1 WHERE id = ?", {r.Int(0)}).status());
            JsonObjectWriter w;
            w.Add("review_item_id", item_id).Add("due_at", item.due_at);
            HERALD_RETURN_IF_ERROR(
                audit_
                    .Append(tx, {system.actor, "report.overdue",
                                 "report:" + std::to_string(r.Int(0)), w.str(), ""})
                    .status());
            ++rep.marked_overdue;
          }
          return Status();
        }));
  }
  return rep;
}

Status ReportService::ReencryptPii(Transaction& tx, const auth::PiiKeys& from,
                                   const auth::PiiKeys& to) {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT id, contact_enc FROM reports WHERE contact_enc IS NOT NULL"));
  for (const auto& r : rows.rows) {
    auto contact = crypto::Open(from.encryption_key, r.Bytes(1), "reports.contact");
    if (!contact.ok()) {
      return Internal("a reporter contact does not open under the current key",
                      "pii_decrypt_failed");
    }
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE reports SET contact_enc = ?, key_id = ? WHERE id = ?",
                   {storage::Blob{crypto::Seal(to.encryption_key, *contact, "reports.contact")},
                    to.key_id, r.Int(0)})
            .status());
  }
  return Status();
}

std::vector<storage::Migration> ReportService::Migrations() {
  return {{"reports/0001_reports", R"SQL(
CREATE TABLE reports (
  id {{AUTO_ID}},
  reporter_user_id BIGINT REFERENCES users (id),
  reporter_key TEXT NOT NULL,
  ip_hash TEXT NOT NULL,
  device_hash TEXT NOT NULL,
  poor_record INTEGER NOT NULL,
  target_type TEXT NOT NULL CHECK (target_type IN ('account', 'article', 'comment', 'group',
                                                   'message')),
  target_id BIGINT NOT NULL,
  reported_user_id BIGINT,
  account_id BIGINT,
  category TEXT NOT NULL,
  description TEXT NOT NULL,
  evidence_links TEXT NOT NULL,
  evidence_media TEXT NOT NULL,
  rights_holder TEXT NOT NULL,
  proof_links TEXT NOT NULL,
  proof_media TEXT NOT NULL,
  key_id TEXT NOT NULL,
  contact_enc {{BLOB}},
  contact_masked TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('accepted', 'screened', 'handled', 'feedback')),
  weight_permille BIGINT NOT NULL,
  campaign INTEGER NOT NULL,
  campaign_reasons TEXT NOT NULL,
  campaign_group BIGINT,
  review_item_id BIGINT,
  accepted_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  screened_at BIGINT,
  handled_at BIGINT,
  feedback_at BIGINT,
  overdue INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  outcome_reason TEXT NOT NULL,
  outcome_text TEXT NOT NULL,
  sanction_id BIGINT,
  request_id TEXT NOT NULL
);
CREATE INDEX reports_target ON reports (target_type, target_id, stage);
CREATE INDEX reports_reporter ON reports (reporter_user_id, id);
CREATE INDEX reports_key ON reports (reporter_key, accepted_at);
CREATE INDEX reports_item ON reports (review_item_id);
CREATE TABLE report_reporters (
  reporter_key TEXT PRIMARY KEY,
  decided BIGINT NOT NULL,
  upheld BIGINT NOT NULL
);
)SQL",
           ""}};
}

}  // namespace herald::reports
