// NotificationService on the backend the including file chooses (notifications_test.cc: SQLite;
// notifications_pgtest.cc: PostgreSQL): validation, listing order and cursors, unread counts,
// marking read, and that one user never sees or marks another's.
#pragma once

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/random.h"
#include "notifications/notification_service.h"
#include "storage/testing.h"

namespace herald::notifications {
namespace {

class NotificationsTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    db_ = std::move(*storage::OpenDatabase(*url));
    std::vector<storage::Migration> m;
    for (auto& x : audit::AuditLog::Migrations()) m.push_back(x);
    for (auto& x : auth::AuthService::Migrations()) m.push_back(x);
    for (auto& x : NotificationService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    auth::AuthOptions ao;
    ao.password_profile = crypto::PasswordHashProfile::kMinimum;
    ao.registrations_per_client_per_hour = 0;
    auth_ = std::make_unique<auth::AuthService>(*db_, audit_, clock_, random_,
                                                auth::PiiKeys::Derive(std::string(32, 'k')), ao);
    svc_ = std::make_unique<NotificationService>(*db_, clock_);
  }

  int64_t NewUser() {
    auto u = auth_->Register("1390000" + std::to_string(1000 + ++seq_), "password-123", "",
                             auth::RequestMeta{"t", "local", ""});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? u->id : 0;
  }

  Result<int64_t> Add(const NewNotification& n) {
    auto tx = db_->Begin(storage::TxMode::kWrite);
    if (!tx.ok()) return tx.status();
    auto id = svc_->Notify(**tx, n);
    if (!id.ok()) return id;
    auto st = (*tx)->Commit();
    if (!st.ok()) return st;
    return id;
  }

  NewNotification Note(int64_t user, std::string title) {
    return NewNotification{user,   "report_outcome",    std::move(title),
                           "正文", "/api/v1/reports/1", "report:1"};
  }

  FakeClock clock_;
  SeededRandom random_{7};
  audit::AuditLog audit_{clock_};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<NotificationService> svc_;
  int seq_ = 0;
};

TEST_P(NotificationsTest, NotifyValidatesAndRollsBackWithTheCaller) {
  int64_t u = NewUser();
  for (auto bad :
       {NewNotification{0, "k", "t"}, NewNotification{u, "", "t"}, NewNotification{u, "k", ""},
        NewNotification{u, "Bad Kind", "t"}, NewNotification{u, "k", "t", "", "http://x"}}) {
    auto r = Add(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), "invalid_notification");
  }
  {
    auto tx = db_->Begin(storage::TxMode::kWrite);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(svc_->Notify(**tx, Note(u, "rolled back")).ok());
    // Destroyed without Commit: the notification goes with the caller's transaction.
  }
  EXPECT_EQ(*svc_->UnreadCount(u), 0);
  auto list = svc_->List(u, false, std::nullopt, 10);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_P(NotificationsTest, ListsNewestFirstWithCursorAndUnreadFilter) {
  int64_t u = NewUser();
  int64_t other = NewUser();
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(kMicrosPerMinute);
    auto id = Add(Note(u, "第" + std::to_string(i) + "条"));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  ASSERT_TRUE(Add(Note(other, "别人的")).ok());
  auto page = svc_->List(u, false, std::nullopt, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[4]);
  EXPECT_EQ((*page)[1].id, ids[3]);
  EXPECT_EQ((*page)[0].title, "第4条");
  EXPECT_EQ((*page)[0].kind, "report_outcome");
  EXPECT_EQ((*page)[0].link, "/api/v1/reports/1");
  EXPECT_EQ((*page)[0].ref, "report:1");
  EXPECT_FALSE((*page)[0].read_at.has_value());
  auto rest = svc_->List(u, false, (*page)[1].id, 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ(rest->back().id, ids[0]);
  EXPECT_EQ(*svc_->UnreadCount(u), 5);

  ASSERT_TRUE(svc_->MarkRead(u, ids[1]).ok());
  ASSERT_TRUE(svc_->MarkRead(u, ids[1]).ok());  // idempotent
  EXPECT_EQ(*svc_->UnreadCount(u), 4);
  auto unread = svc_->List(u, true, std::nullopt, 100);
  ASSERT_TRUE(unread.ok());
  ASSERT_EQ(unread->size(), 4u);
  for (const auto& n : *unread) EXPECT_NE(n.id, ids[1]);
  auto all = svc_->List(u, false, std::nullopt, 100);
  ASSERT_TRUE(all.ok());
  for (const auto& n : *all) {
    EXPECT_EQ(n.user_id, u);
    EXPECT_EQ(n.read_at.has_value(), n.id == ids[1]);
  }

  for (int bad : {0, 101}) {
    auto r = svc_->List(u, false, std::nullopt, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), "invalid_limit");
  }
}

TEST_P(NotificationsTest, UsersMarkOnlyTheirOwn) {
  int64_t u = NewUser();
  int64_t other = NewUser();
  auto mine = Add(Note(u, "mine"));
  auto theirs = Add(Note(other, "theirs"));
  ASSERT_TRUE(mine.ok() && theirs.ok());
  Status st = svc_->MarkRead(u, *theirs);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.reason(), "notification_not_found");
  EXPECT_EQ(svc_->MarkRead(u, 999999).reason(), "notification_not_found");
  EXPECT_EQ(*svc_->UnreadCount(other), 1);

  ASSERT_TRUE(Add(Note(u, "second")).ok());
  ASSERT_TRUE(svc_->MarkAllRead(u).ok());
  EXPECT_EQ(*svc_->UnreadCount(u), 0);
  EXPECT_EQ(*svc_->UnreadCount(other), 1);
  auto list = svc_->List(u, false, std::nullopt, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  for (const auto& n : *list) ASSERT_TRUE(n.read_at.has_value());
  EXPECT_EQ(*(*list)[0].read_at, clock_.Now());
}

}  // namespace
}  // namespace herald::notifications
