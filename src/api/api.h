// The JSON API under /api/v1 plus /healthz and /metrics: routes, authentication and permission
// checks, and the conversion between JSON and domain types. Domain modules never see JSON.
//
// Authentication: `Authorization: Bearer <token>` from POST /api/v1/auth/login. Every route
// declares a permission (auth::perm); a route with a permission answers 401 "unauthenticated"
// without a valid session and 403 "permission_denied" when no role of the caller grants it.
// docs/openapi.yaml documents every route; a test keeps the two in step.
#pragma once

#include <string>

#include "accounts/account_service.h"
#include "appeals/appeal_service.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "comments/comment_service.h"
#include "content/article_service.h"
#include "core/clock.h"
#include "credit/credit_service.h"
#include "feed/feed_service.h"
#include "groups/group_service.h"
#include "http/http.h"
#include "http/metrics.h"
#include "media/media_library.h"
#include "moderation/screening_service.h"
#include "notifications/notification_service.h"
#include "provenance/provenance_service.h"
#include "reports/report_service.h"
#include "review/review_queue.h"
#include "rumours/rumour_service.h"
#include "sanctions/sanction_service.h"
#include "social/social_service.h"
#include "storage/database.h"
#include "subjects/otp.h"
#include "subjects/subject_service.h"

namespace herald::api {

// What the handlers use. All pointers must outlive the router; they are not touched while the
// router is built, so a router built with null services may be used to list routes.
struct ApiServices {
  storage::Database* db = nullptr;
  const audit::AuditLog* audit = nullptr;
  auth::AuthService* auth = nullptr;
  subjects::OtpService* otp = nullptr;
  subjects::SubjectService* subjects = nullptr;
  accounts::AccountService* accounts = nullptr;
  review::ReviewQueue* review = nullptr;
  sanctions::SanctionService* sanctions = nullptr;
  moderation::ScreeningService* screening = nullptr;
  provenance::ProvenanceService* provenance = nullptr;
  content::ArticleService* articles = nullptr;
  groups::GroupService* groups = nullptr;
  social::SocialService* social = nullptr;
  comments::CommentService* comments = nullptr;
  feed::FeedService* feed = nullptr;
  credit::CreditService* credit = nullptr;  // issue 6: credit and grades
  rumours::RumourService* rumours = nullptr;
  appeals::AppealService* appeals = nullptr;
  media::MediaLibrary* media = nullptr;
  notifications::NotificationService* notifications = nullptr;
  reports::ReportService* reports = nullptr;
  http::Metrics* metrics = nullptr;
  const Clock* clock = nullptr;
  std::string version = "dev";
};

http::Router BuildRouter(ApiServices& services);

}  // namespace herald::api
