// Routes of identity verification, public accounts and their lifecycle (issue 3).
#include <boost/json.hpp>
#include <set>

#include "accounts/account_service.h"
#include "api/json_body.h"
#include "api/report.h"
#include "api/routes.h"
#include "core/strings.h"
#include "media/media_library.h"
#include "subjects/subject_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::object SubjectJson(const subjects::Subject& s) {
  json::object o{
      {"id", s.id},
      {"kind", subjects::SubjectKindName(s.kind)},
      {"status", s.status},
      {"owner_user_id", s.owner_user_id},
      {"real_name", s.real_name_masked},
      {"id_number", s.id_number_masked},
      {"phone", s.phone_masked},
      {"verification", json::object{{"source", s.verification_source},
                                    {"reference", s.verification_reference},
                                    {"verified_at", Time(s.verified_at)}}},
      {"created_at", Time(s.created_at)},
  };
  if (s.kind == subjects::SubjectKind::kOrganisation) {
    o["org_name"] = s.org_name;
    o["org_type"] = s.org_type;
    o["credit_code"] = s.credit_code;
  }
  return o;
}

json::object CategoryJson(const accounts::Category& c) {
  return json::object{
      {"id", c.id},
      {"name_zh", c.name_zh},
      {"name_en", c.name_en},
      {"requires", c.requirement.empty() ? json::value(nullptr) : json::value(c.requirement)}};
}

json::value CategoryRef(const std::string& id) {
  const accounts::Category* c = accounts::FindCategory(id);
  return c ? json::value(CategoryJson(*c)) : json::value(id);
}

json::value MediaUrl(const std::string& id) {
  return id.empty() ? json::value(nullptr) : json::value("/api/v1/media/" + id);
}

json::object QualificationJson(const accounts::Qualification& q) {
  return json::object{{"id", q.id},
                      {"kind", q.kind},
                      {"licence_number", q.licence_number},
                      {"issuer", q.issuer},
                      {"expires_at", Time(q.expires_at)},
                      {"document_media_id", q.document_media_id},
                      {"status", q.status},
                      {"submitted_at", Time(q.submitted_at)},
                      {"decided_at", OptTimeJson(q.decided_at)},
                      {"decision_reason", q.decision_reason}};
}

// The public page (PA-9.2, PA17-6): chosen name and the disclosures by subject type; never the
// subject's identity.
json::object PublicAccountJson(const accounts::Account& a) {
  json::object disclosures{{"subject_type", a.subject_kind},
                           {"content_category", a.category},
                           {"registered_place", a.registered_place},
                           {"operating_place", a.operating_place}};
  if (a.subject_kind == "organisation") {
    disclosures["operator_name"] = a.org_name;
    disclosures["credit_code"] = a.credit_code;
    disclosures["contact"] = a.contact;
    disclosures["business_scope"] = a.business_scope;
  }
  json::array changes;
  for (const auto& c : a.subject_changes) {
    changes.push_back(json::object{
        {"changed_at", Time(c.changed_at)},
        {"notice",
         "账号主体已于 " + FormatRfc3339(c.changed_at).substr(0, 10) + " 变更 (subject changed)"}});
  }
  return json::object{{"id", a.id},
                      {"name", a.name},
                      {"avatar_url", MediaUrl(a.avatar_media_id)},
                      {"avatar_caption", a.avatar_caption},
                      {"bio", a.bio},
                      {"category", CategoryRef(a.category)},
                      {"badge", a.badge.empty() ? json::value(nullptr) : json::value(a.badge)},
                      {"verified", !a.badge.empty()},
                      {"status", a.status},
                      {"disclosures", std::move(disclosures)},
                      {"subject_changes", std::move(changes)},
                      {"created_at", Time(a.created_at)}};
}

json::object OwnerAccountJson(const accounts::Account& a, const Status& can_publish,
                              const std::vector<sanctions::Sanction>& active, Micros now) {
  json::object o = PublicAccountJson(a);
  o["subject_id"] = a.subject_id;
  o["owner_user_id"] = a.owner_user_id;
  o["contact"] = a.contact;
  o["business_scope"] = a.business_scope;
  o["avatar_media_id"] =
      a.avatar_media_id.empty() ? json::value(nullptr) : json::value(a.avatar_media_id);
  o["status_reason"] = a.status_reason;
  o["status_changed_at"] = Time(a.status_changed_at);
  o["correction_due_at"] = OptTimeJson(a.correction_due_at);
  o["cancel_effective_at"] = OptTimeJson(a.cancel_effective_at);
  o["category_verified"] = a.category_verified;
  o["can_publish"] = can_publish.ok();
  o["publish_blocked_by"] =
      can_publish.ok() ? json::value(nullptr) : json::value(can_publish.reason());
  json::array quals;
  for (const auto& q : a.qualifications) quals.push_back(QualificationJson(q));
  o["qualifications"] = std::move(quals);
  // Sanctions in force on the account, its subject or its owner, and what they block.
  json::array sanctions_json, blocked;
  std::set<std::string> blocked_set;
  for (const auto& x : active) {
    sanctions_json.push_back(SanctionJson(x, now));
    for (auto& f : sanctions::BlockedFunctions(x.measure, x.function)) blocked_set.insert(f);
  }
  for (const auto& f : blocked_set) blocked.push_back(json::value(f));
  o["sanctions"] = std::move(sanctions_json);
  o["blocked_functions"] = std::move(blocked);
  if (a.status == "restricted" || a.status == "suspended" || a.status == "closed") {
    o["appeal"] =
        json::object{{"allowed", a.status_reason != "self_suspension"},
                     {"deadline", Time(a.status_changed_at + 30 * kMicrosPerDay)},
                     {"how",
                      "申诉：在期限内通过 POST /api/v1/appeals 对相关处罚提出申诉，由未参与原决定的"
                      "审核员复核。Appeal within the window through POST /api/v1/appeals (target: "
                      "the sanction, see GET /api/v1/me/sanctions); a different moderator "
                      "reviews it. Procedure: GET /api/v1/policies/appeals."}};
  }
  o["last_active_at"] = Time(a.last_active_at);
  return o;
}

json::object TransferJson(const accounts::Transfer& t) {
  return json::object{{"id", t.id},
                      {"account_id", t.account_id},
                      {"from_subject_id", t.from_subject_id},
                      {"to_subject_id", t.to_subject_id},
                      {"status", t.status},
                      {"applied_at", Time(t.applied_at)}};
}

json::object DocumentJson(const accounts::Document& d, bool with_body) {
  json::object o{{"kind", d.kind},
                 {"version", d.version},
                 {"title", d.title},
                 {"published_at", Time(d.published_at)}};
  if (with_body) o["body"] = d.body;
  return o;
}

json::object MediaJson(const media::MediaObject& m) {
  return json::object{{"id", m.id},
                      {"mime", m.mime},
                      {"width", m.width},
                      {"height", m.height},
                      {"size", static_cast<int64_t>(m.size)},
                      {"url", "/api/v1/media/" + m.id}};
}

Result<std::string> PathKind(const Request& req) {
  auto it = req.path_params.find("kind");
  if (it == req.path_params.end() || !accounts::IsDocumentKind(it->second)) {
    return NotFound("no such document", "document_not_found");
  }
  return it->second;
}

Response Created(json::object body) { return JsonResponse(201, body); }

json::object OwnerView(ApiServices& s, const accounts::Account& a) {
  auto active = s.accounts->ActiveSanctions(a);
  return OwnerAccountJson(a, s.accounts->CheckCanPublish(a),
                          active.ok() ? *active : std::vector<sanctions::Sanction>{},
                          s.clock->Now());
}

}  // namespace

void AddIdentityRoutes(http::Router& router, ApiServices& s) {
  // Both call outside services (SMS provider, identity verifier) that may take seconds: they
  // run on the heavy pool so a slow provider never stalls the database workers.
  router.Add(Heavy(Secured(
      Method::kPost, "/api/v1/otp", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"phone", "purpose"}));
        HERALD_ASSIGN_OR_RETURN(auto phone, body.RequiredString("phone", 32));
        HERALD_ASSIGN_OR_RETURN(auto purpose, body.OptionalString("purpose", 32));
        HERALD_ASSIGN_OR_RETURN(auto ch,
                                s.otp->Send(phone, purpose.value_or("subject"), Meta(req)));
        return Created(json::object{{"challenge_id", ch.id},
                                    {"phone", ch.phone_masked},
                                    {"expires_at", Time(ch.expires_at)},
                                    {"resend_after", Time(ch.resend_after)}});
      },
      s)));
  router.Add(Heavy(Secured(
      Method::kPost, "/api/v1/subjects", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(
            auto body,
            JsonBody::Parse(req, {"kind", "real_name", "id_number", "phone", "org_name", "org_type",
                                  "credit_code", "legal_rep_name", "legal_rep_id_number",
                                  "legal_rep_phone", "otp_challenge", "otp_code"}));
        HERALD_ASSIGN_OR_RETURN(auto kind, body.RequiredString("kind", 20));
        HERALD_ASSIGN_OR_RETURN(auto challenge, body.RequiredString("otp_challenge", 64));
        HERALD_ASSIGN_OR_RETURN(auto code, body.RequiredString("otp_code", 12));
        subjects::Subject subject;
        if (kind == "individual") {
          subjects::IndividualInput in;
          HERALD_ASSIGN_OR_RETURN(in.real_name, body.RequiredString("real_name", 50));
          HERALD_ASSIGN_OR_RETURN(in.id_number, body.RequiredString("id_number", 32));
          HERALD_ASSIGN_OR_RETURN(in.phone, body.RequiredString("phone", 32));
          in.otp_challenge = challenge;
          in.otp_code = code;
          HERALD_ASSIGN_OR_RETURN(subject,
                                  s.subjects->CreateIndividual(who.user_id, in, Meta(req)));
        } else if (kind == "organisation") {
          subjects::OrganisationInput in;
          HERALD_ASSIGN_OR_RETURN(in.org_name, body.RequiredString("org_name", 100));
          HERALD_ASSIGN_OR_RETURN(in.org_type, body.RequiredString("org_type", 32));
          HERALD_ASSIGN_OR_RETURN(in.credit_code, body.RequiredString("credit_code", 32));
          HERALD_ASSIGN_OR_RETURN(in.legal_rep_name, body.RequiredString("legal_rep_name", 50));
          HERALD_ASSIGN_OR_RETURN(in.legal_rep_id_number,
                                  body.RequiredString("legal_rep_id_number", 32));
          HERALD_ASSIGN_OR_RETURN(in.legal_rep_phone, body.RequiredString("legal_rep_phone", 32));
          in.otp_challenge = challenge;
          in.otp_code = code;
          HERALD_ASSIGN_OR_RETURN(subject,
                                  s.subjects->CreateOrganisation(who.user_id, in, Meta(req)));
        } else {
          return InvalidArgument("kind must be individual or organisation", "invalid_kind", "kind");
        }
        return Created(json::object{{"subject", SubjectJson(subject)}});
      },
      s)));
  router.Add(Secured(
      Method::kGet, "/api/v1/subjects", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto list, s.subjects->ListByOwner(who.user_id));
        json::array out;
        for (const auto& x : list) out.push_back(SubjectJson(x));
        return JsonResponse(200, json::object{{"subjects", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/subjects/{id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto subject, s.subjects->Get(id));
        if (subject.owner_user_id != who.user_id && !who.Has(auth::perm::kSubjectsRead)) {
          return NotFound("no such subject", "subject_not_found");
        }
        return JsonResponse(200, json::object{{"subject", SubjectJson(subject)}});
      },
      s));
  router.Add(Heavy(Secured(
      Method::kPost, "/api/v1/subjects/{id}/reverify", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_ASSIGN_OR_RETURN(auto subject,
                                s.accounts->ReverifySubject(who.Actor(), id, Meta(req)));
        return JsonResponse(200, json::object{{"subject", SubjectJson(subject)}});
      },
      s)));
  router.Add(Secured(
      Method::kPost, "/api/v1/subjects/{id}/reveal", auth::perm::kPiiReveal,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"reason"}));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason", 500));
        HERALD_ASSIGN_OR_RETURN(auto pii, s.subjects->Reveal(who.Actor(), id, reason, Meta(req)));
        Response res = JsonResponse(200, json::object{{"subject_id", pii.subject_id},
                                                      {"real_name", pii.real_name},
                                                      {"id_number", pii.id_number},
                                                      {"phone", pii.phone}});
        res.headers.emplace_back("Cache-Control", "no-store");
        return res;
      },
      s));
}

void AddAccountRoutes(http::Router& router, ApiServices& s) {
  router.Add(Public(
      Method::kGet, "/api/v1/categories",
      [](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        json::array out;
        for (const auto& c : accounts::Categories()) out.push_back(CategoryJson(c));
        return JsonResponse(200, json::object{{"categories", std::move(out)}});
      },
      /*blocking=*/false));

  // Documents (PA-6.2).
  router.Add(Public(Method::kGet, "/api/v1/documents", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    HERALD_ASSIGN_OR_RETURN(auto docs, s.accounts->CurrentDocuments());
    json::array out;
    for (const auto& d : docs) out.push_back(DocumentJson(d, false));
    return JsonResponse(200, json::object{{"documents", std::move(out)}});
  }));
  router.Add(
      Public(Method::kGet, "/api/v1/documents/{kind}", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"version"}));
        HERALD_ASSIGN_OR_RETURN(auto kind, PathKind(req));
        HERALD_ASSIGN_OR_RETURN(auto version, QueryInt(req, "version", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto doc, s.accounts->GetDocument(kind, version.value_or(0)));
        return JsonResponse(200, json::object{{"document", DocumentJson(doc, true)}});
      }));
  router.Add(Secured(
      Method::kPost, "/api/v1/documents/{kind}", auth::perm::kAgreementsPublish,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto kind, PathKind(req));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"title", "body"}));
        HERALD_ASSIGN_OR_RETURN(auto title, body.RequiredString("title", 100));
        HERALD_ASSIGN_OR_RETURN(auto text, body.RequiredString("body", 100000));
        HERALD_ASSIGN_OR_RETURN(
            auto doc, s.accounts->PublishDocument(who.Actor(), kind, title, text, Meta(req)));
        return Created(json::object{{"document", DocumentJson(doc, true)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/documents/{kind}/accept", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto kind, PathKind(req));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"version"}));
        HERALD_ASSIGN_OR_RETURN(int64_t version, body.RequiredInt("version", 1, INT64_MAX));
        HERALD_RETURN_IF_ERROR(s.accounts->AcceptDocument(who.user_id, kind, version, Meta(req)));
        return JsonResponse(200,
                            json::object{{"kind", kind}, {"version", version}, {"accepted", true}});
      },
      s));

  // Names (PA-8.2, 8.3).
  router.Add(Secured(
      Method::kPost, "/api/v1/names/check", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"name", "subject_id"}));
        HERALD_ASSIGN_OR_RETURN(auto name, body.RequiredString("name", 30));
        HERALD_ASSIGN_OR_RETURN(auto subject, body.OptionalInt("subject_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto p, s.accounts->CheckName(name, subject));
        json::array matches;
        for (const auto& m : p.matches) {
          matches.push_back(json::object{{"protected", m.protected_name},
                                         {"kind", m.kind},
                                         {"closed", m.closed},
                                         {"score", m.score}});
        }
        return JsonResponse(
            200, json::object{
                     {"name", name}, {"decision", p.decision}, {"matches", std::move(matches)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/names/protected", auth::perm::kNamesManage,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto list, s.accounts->ListProtectedNames());
        json::array out;
        for (const auto& e : list) {
          out.push_back(json::object{
              {"id", e.id},
              {"name", e.name},
              {"kind", e.kind},
              {"bound_subject_id",
               e.bound_subject_id ? json::value(*e.bound_subject_id) : json::value(nullptr)}});
        }
        return JsonResponse(200, json::object{{"entries", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/names/protected", auth::perm::kNamesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"entries"}));
        HERALD_ASSIGN_OR_RETURN(const json::array* arr, body.RequiredArray("entries", 10000));
        std::vector<accounts::ProtectedNameEntry> entries;
        for (size_t i = 0; i < arr->size(); ++i) {
          std::string field = "entries[" + std::to_string(i) + "]";
          HERALD_ASSIGN_OR_RETURN(
              auto e, JsonBody::FromValue((*arr)[i], {"name", "kind", "bound_subject_id"}, field));
          accounts::ProtectedNameEntry x;
          HERALD_ASSIGN_OR_RETURN(x.name, e.RequiredString("name", 50));
          HERALD_ASSIGN_OR_RETURN(x.kind, e.RequiredString("kind", 20));
          HERALD_ASSIGN_OR_RETURN(x.bound_subject_id,
                                  e.OptionalInt("bound_subject_id", 1, INT64_MAX));
          entries.push_back(std::move(x));
        }
        HERALD_ASSIGN_OR_RETURN(int n,
                                s.accounts->ImportProtectedNames(who.Actor(), entries, Meta(req)));
        return JsonResponse(200, json::object{{"imported", n}});
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/names/protected/{id}", auth::perm::kNamesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(s.accounts->DeleteProtectedName(who.Actor(), id, Meta(req)));
        return Response::Json(204, "");
      },
      s));

  // Media (avatars, covers, qualification documents). The only route with a body limit of its
  // own: the image byte limit (5 MiB by default), above the server's 1 MiB for JSON.
  http::Route upload = Secured(
      Method::kPost, "/api/v1/media", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto m, s.media->Upload(who.user_id, req.body, Meta(req)));
        return Created(json::object{{"media", MediaJson(m)}});
      },
      s);
  if (s.media) upload.body_limit = s.media->limits().max_bytes;  // null: listing routes only
  router.Add(std::move(upload));
  router.Add(Public(Method::kGet, "/api/v1/media/{id}", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    auto it = req.path_params.find("id");
    HERALD_ASSIGN_OR_RETURN(auto m, s.media->Get(it == req.path_params.end() ? "" : it->second));
    HERALD_ASSIGN_OR_RETURN(std::string bytes, s.media->Read(m.id));
    Response res = Response::Text(200, std::move(bytes), m.mime);
    res.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    res.headers.emplace_back("ETag", "\"" + m.id + "\"");
    return res;
  }));

  // Accounts.
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(
            auto body,
            JsonBody::Parse(req, {"subject_id", "name", "bio", "avatar_media_id", "avatar_caption",
                                  "category", "registered_place", "operating_place", "contact",
                                  "business_scope", "cap_reason"}));
        accounts::AccountInput in;
        HERALD_ASSIGN_OR_RETURN(in.subject_id, body.RequiredInt("subject_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(in.name, body.RequiredString("name", 30));
        HERALD_ASSIGN_OR_RETURN(auto bio, body.OptionalString("bio", 200));
        HERALD_ASSIGN_OR_RETURN(auto avatar, body.OptionalString("avatar_media_id", 64));
        HERALD_ASSIGN_OR_RETURN(auto caption, body.OptionalString("avatar_caption", 50));
        in.avatar_caption = caption.value_or("");
        HERALD_ASSIGN_OR_RETURN(in.category, body.RequiredString("category", 32));
        HERALD_ASSIGN_OR_RETURN(in.registered_place, body.RequiredString("registered_place", 50));
        HERALD_ASSIGN_OR_RETURN(in.operating_place, body.RequiredString("operating_place", 50));
        HERALD_ASSIGN_OR_RETURN(in.contact, body.RequiredString("contact", 100));
        HERALD_ASSIGN_OR_RETURN(auto scope, body.OptionalString("business_scope", 500));
        HERALD_ASSIGN_OR_RETURN(auto cap, body.OptionalString("cap_reason", 500));
        in.bio = bio.value_or("");
        in.avatar_media_id = avatar.value_or("");
        in.business_scope = scope.value_or("");
        in.cap_reason = cap.value_or("");
        HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->Create(who.user_id, in, Meta(req)));
        return Created(json::object{{"account", OwnerView(s, a)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/accounts", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto list, s.accounts->ListByOwner(who.user_id));
        json::array out;
        for (const auto& a : list) out.push_back(OwnerView(s, a));
        return JsonResponse(200, json::object{{"accounts", std::move(out)}});
      },
      s));
  // Organisation accounts the user works for as an editor or reviewer (PA-16.1); owned accounts
  // stay in /me/accounts, whose shape is unchanged.
  router.Add(Secured(
      Method::kGet, "/api/v1/me/memberships", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto list, s.accounts->ListMemberships(who.user_id));
        json::array out;
        for (const auto& m : list) {
          out.push_back(json::object{{"role", m.role},
                                     {"added_at", Time(m.added_at)},
                                     {"account", PublicAccountJson(m.account)}});
        }
        return JsonResponse(200, json::object{{"memberships", std::move(out)}});
      },
      s));
  // Staff read of any account in any status (a held registration's name, bio, category and
  // avatar for the review page): accounts.review, or subjects.read for auditors.
  router.Add(Secured(
      Method::kGet, "/api/v1/moderation/accounts/{id}", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(
            RequireEither(who, auth::perm::kAccountsReview, auth::perm::kSubjectsRead));
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->Get(id));
        return JsonResponse(200, json::object{{"account", OwnerView(s, a)}});
      },
      s));
  router.Add(Public(Method::kGet, "/api/v1/accounts/{id}", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
    HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->Get(id));
    if (a.status == "pending_review" || a.status == "rejected" || a.status == "cancelled") {
      return NotFound("no such account", "account_not_found");
    }
    if (a.status == "closed") {
      return JsonResponse(
          200, json::object{{"account",
                             json::object{{"id", a.id}, {"name", a.name}, {"status", "closed"}}}});
    }
    json::object account = PublicAccountJson(a);
    account["grade"] = PublicGradeJson(s, a.id);  // PA-7.2
    return JsonResponse(200, json::object{{"account", std::move(account)}});
  }));
  router.Add(Secured(
      Method::kPatch, "/api/v1/accounts/{id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"name", "bio", "avatar_media_id", "avatar_caption",
                                             "operating_place", "contact", "business_scope"}));
        accounts::AccountUpdate up;
        HERALD_ASSIGN_OR_RETURN(up.name, body.OptionalString("name", 30));
        HERALD_ASSIGN_OR_RETURN(up.bio, body.OptionalString("bio", 200));
        HERALD_ASSIGN_OR_RETURN(up.avatar_media_id, body.OptionalString("avatar_media_id", 64));
        HERALD_ASSIGN_OR_RETURN(up.avatar_caption, body.OptionalString("avatar_caption", 50));
        HERALD_ASSIGN_OR_RETURN(up.operating_place, body.OptionalString("operating_place", 50));
        HERALD_ASSIGN_OR_RETURN(up.contact, body.OptionalString("contact", 100));
        HERALD_ASSIGN_OR_RETURN(up.business_scope, body.OptionalString("business_scope", 500));
        HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->Update(who.user_id, id, up, Meta(req)));
        return JsonResponse(200, json::object{{"account", OwnerView(s, a)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts/{id}/qualifications", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"kind", "licence_number", "issuer", "expires_on",
                                             "document_media_id"}));
        accounts::Qualification q;
        HERALD_ASSIGN_OR_RETURN(q.kind, body.RequiredString("kind", 20));
        HERALD_ASSIGN_OR_RETURN(q.licence_number, body.RequiredString("licence_number", 64));
        HERALD_ASSIGN_OR_RETURN(q.issuer, body.RequiredString("issuer", 100));
        HERALD_ASSIGN_OR_RETURN(auto expires, body.RequiredString("expires_on", 10));
        if (!ParseRfc3339(expires + "T00:00:00Z", &q.expires_at) || expires.size() != 10) {
          return InvalidArgument("expires_on must be a date such as 2027-12-31", "invalid_date",
                                 "expires_on");
        }
        HERALD_ASSIGN_OR_RETURN(q.document_media_id, body.RequiredString("document_media_id", 64));
        HERALD_ASSIGN_OR_RETURN(auto out,
                                s.accounts->SubmitQualification(who.user_id, id, q, Meta(req)));
        return Created(json::object{{"qualification", QualificationJson(out)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/qualifications/{id}/revoke", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"reason"}));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason", 500));
        HERALD_RETURN_IF_ERROR(s.accounts->RevokeQualification(who.Actor(), id, reason, Meta(req)));
        return Response::Json(204, "");
      },
      s));

  // Lifecycle by the platform.
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts/{id}/status", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"status", "reason_code", "note", "correction_days"}));
        HERALD_ASSIGN_OR_RETURN(auto status, body.RequiredString("status", 20));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason_code", 40));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 1000));
        HERALD_ASSIGN_OR_RETURN(auto days, body.OptionalInt("correction_days", 1, 90));
        std::optional<Micros> due;
        if (days) due = s.clock->Now() + *days * kMicrosPerDay;
        HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->SetStatus(who.Actor(), id, status, reason,
                                                              note.value_or(""), due, Meta(req)));
        return JsonResponse(200, json::object{{"account", OwnerView(s, a)}});
      },
      s));

  // Self-service (PA-11.2).
  struct SelfAction {
    const char* path;
    Result<accounts::Account> (accounts::AccountService::*fn)(int64_t, int64_t,
                                                              const auth::RequestMeta&);
  };
  for (SelfAction act :
       {SelfAction{"/api/v1/accounts/{id}/suspend", &accounts::AccountService::SelfSuspend},
        SelfAction{"/api/v1/accounts/{id}/resume", &accounts::AccountService::SelfResume},
        SelfAction{"/api/v1/accounts/{id}/cancel", &accounts::AccountService::RequestCancellation},
        SelfAction{"/api/v1/accounts/{id}/cancel/withdraw",
                   &accounts::AccountService::WithdrawCancellation}}) {
    router.Add(Secured(
        Method::kPost, act.path, auth::perm::kIdentityVerify,
        [&s, fn = act.fn](Request& req, const Principal& who) -> Result<Response> {
          HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
          HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
          HERALD_ASSIGN_OR_RETURN(auto a, ((*s.accounts).*fn)(who.user_id, id, Meta(req)));
          return JsonResponse(200, json::object{{"account", OwnerView(s, a)}});
        },
        s));
  }

  // Transfer (PA-11.1).
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts/{id}/transfers", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"to_subject_id"}));
        HERALD_ASSIGN_OR_RETURN(int64_t to, body.RequiredInt("to_subject_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto t, s.accounts->ApplyTransfer(who.user_id, id, to, Meta(req)));
        return Created(json::object{{"transfer", TransferJson(t)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/transfers/{id}/accept", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_ASSIGN_OR_RETURN(auto t, s.accounts->AcceptTransfer(who.user_id, id, Meta(req)));
        return JsonResponse(200, json::object{{"transfer", TransferJson(t)}});
      },
      s));

  router.Add(Secured(
      Method::kPost, "/api/v1/transfers/{id}/decline", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_ASSIGN_OR_RETURN(auto t, s.accounts->DeclineTransfer(who.user_id, id, Meta(req)));
        return JsonResponse(200, json::object{{"transfer", TransferJson(t)}});
      },
      s));
  // Offers addressed to the user: transfers to one of their subjects, newest first.
  router.Add(Secured(
      Method::kGet, "/api/v1/me/transfers", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit"}));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 200));
        HERALD_ASSIGN_OR_RETURN(
            auto list, s.accounts->TransfersTo(who.user_id, static_cast<int>(limit.value_or(50))));
        json::array out;
        for (const auto& o : list) {
          json::object t = TransferJson(o.transfer);
          t["account"] = json::object{{"id", o.transfer.account_id},
                                      {"name", o.account_name},
                                      {"status", o.account_status}};
          t["decided_at"] = o.decided_at ? Time(o.decided_at) : json::value(nullptr);
          out.push_back(std::move(t));
        }
        return JsonResponse(200, json::object{{"transfers", std::move(out)}});
      },
      s));

  // Notices.
  router.Add(Secured(
      Method::kGet, "/api/v1/me/notices", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit"}));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 200));
        HERALD_ASSIGN_OR_RETURN(
            auto list, s.accounts->ListNotices(who.user_id, static_cast<int>(limit.value_or(50))));
        json::array out;
        for (const auto& n : list) {
          out.push_back(json::object{
              {"id", n.id},
              {"account_id", n.account_id ? json::value(*n.account_id) : json::value(nullptr)},
              {"kind", n.kind},
              {"title", n.title},
              {"body", n.body},
              {"created_at", Time(n.created_at)}});
        }
        return JsonResponse(200, json::object{{"notices", std::move(out)}});
      },
      s));
}

}  // namespace herald::api::internal
