// OtpService, SubjectService and the development seams on SQLite with a fake clock and a
// recording SMS gateway.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "identity/id_numbers.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::subjects {
namespace {

class RecordingSms final : public SmsGateway {
 public:
  Status Send(const SmsMessage& m) override {
    if (fail) return Unavailable("down", "sms_unavailable");
    sent.push_back(m);
    return Status();
  }
  std::string_view Name() const override { return "recording"; }
  std::string LastCode() const {
    const std::string& t = sent.back().text;
    auto p = t.find_first_of("0123456789");
    return t.substr(p, 6);
  }
  std::vector<SmsMessage> sent;
  bool fail = false;
};

class SubjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(storage::Backend::kSqlite);
    ASSERT_TRUE(url.ok());
    db_ = std::move(*storage::OpenDatabase(*url));
    auto m = audit::AuditLog::Migrations();
    for (auto& x : auth::AuthService::Migrations()) m.push_back(x);
    for (auto& x : OtpService::Migrations()) m.push_back(x);
    for (auto& x : SubjectService::Migrations()) m.push_back(x);
    ASSERT_TRUE(storage::Migrate(*db_, m, clock_).ok());
    keys_ = auth::PiiKeys::Derive(std::string(32, 'k'));
    auth::AuthOptions opts;
    opts.password_profile = crypto::PasswordHashProfile::kMinimum;
    auth_ = std::make_unique<auth::AuthService>(*db_, audit_, clock_, random_, keys_, opts);
    otp_ = std::make_unique<OtpService>(*db_, sms_, clock_, random_, keys_.index_key, OtpOptions{});
    subjects_ = std::make_unique<SubjectService>(*db_, audit_, clock_, *otp_, verifier_, keys_);
    auto u = auth_->Register("13900000001", "password-123", "", meta_);
    ASSERT_TRUE(u.ok());
    user_ = u->id;
  }

  IndividualInput Person(const std::string& id, const std::string& phone) {
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    clock_.Advance(61 * kMicrosPerSecond);
    return IndividualInput{"测试人", id, phone, ch.ok() ? ch->id : "", sms_.LastCode()};
  }

  FakeClock clock_;
  SeededRandom random_{7};
  audit::AuditLog audit_{clock_};
  std::unique_ptr<storage::Database> db_;
  auth::PiiKeys keys_;
  std::unique_ptr<auth::AuthService> auth_;
  RecordingSms sms_;
  DevIdentityVerifier verifier_;
  std::unique_ptr<OtpService> otp_;
  std::unique_ptr<SubjectService> subjects_;
  auth::RequestMeta meta_{"req-1", "10.0.0.1", ""};
  int64_t user_ = 0;
};

TEST_F(SubjectsTest, OtpExpiresAfterItsTtl) {
  auto ch = otp_->Send("13900000002", "subject", meta_);
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(sms_.sent.back().to, "13900000002");
  clock_.Advance(5 * kMicrosPerMinute + 1);
  Status s = otp_->Consume(ch->id, "13900000002", "subject", sms_.LastCode());
  EXPECT_EQ(s.reason(), "otp_expired");
}

TEST_F(SubjectsTest, OtpIsBoundToNumberAndPurposeAndUsedOnce) {
  auto ch = otp_->Send("13900000002", "subject", meta_);
  ASSERT_TRUE(ch.ok());
  std::string code = sms_.LastCode();
  EXPECT_EQ(otp_->Consume(ch->id, "13900000003", "subject", code).reason(), "otp_invalid");
  EXPECT_EQ(otp_->Consume(ch->id, "13900000002", "verify_phone", code).reason(), "otp_invalid");
  EXPECT_TRUE(otp_->Consume(ch->id, "13900000002", "subject", code).ok());
  EXPECT_EQ(otp_->Consume(ch->id, "13900000002", "subject", code).reason(), "otp_used");
}

TEST_F(SubjectsTest, OtpCooldownDailyAndClientLimits) {
  ASSERT_TRUE(otp_->Send("13900000002", "subject", meta_).ok());
  EXPECT_EQ(otp_->Send("13900000002", "subject", meta_).status().reason(), "otp_cooldown");
  clock_.Advance(61 * kMicrosPerSecond);
  EXPECT_TRUE(otp_->Send("13900000002", "subject", meta_).ok());
  for (int i = 2; i < 10; ++i) {
    clock_.Advance(61 * kMicrosPerSecond);
    ASSERT_TRUE(otp_->Send("13900000002", "subject", meta_).ok()) << i;
  }
  clock_.Advance(61 * kMicrosPerSecond);
  EXPECT_EQ(otp_->Send("13900000002", "subject", meta_).status().reason(), "otp_daily_limit");
  clock_.Advance(kMicrosPerDay);
  EXPECT_TRUE(otp_->Send("13900000002", "subject", meta_).ok());
  // 30 per client address per hour, whatever the numbers.
  for (int i = 0; i < 30; ++i) {
    auto r = otp_->Send("1390000" + std::to_string(1000 + i), "subject", {"r", "10.9.9.9", ""});
    ASSERT_TRUE(r.ok()) << i << r.status().ToString();
  }
  EXPECT_EQ(otp_->Send("13900005555", "subject", {"r", "10.9.9.9", ""}).status().reason(),
            "otp_client_limit");
}

TEST_F(SubjectsTest, OtpStoresOnlyAHashOfTheCodeAndReportsGatewayFailure) {
  auto ch = otp_->Send("13900000002", "subject", meta_);
  ASSERT_TRUE(ch.ok());
  auto tx = *db_->Begin(storage::TxMode::kRead);
  auto rows = *tx->Query("SELECT code_hash, phone_index FROM otp_challenges");
  EXPECT_EQ(rows.rows[0].Text(0).find(sms_.LastCode()), std::string::npos);
  EXPECT_EQ(rows.rows[0].Text(1).find("13900000002"), std::string::npos);
  sms_.fail = true;
  EXPECT_EQ(otp_->Send("13900000009", "subject", meta_).status().reason(), "sms_unavailable");
}

TEST_F(SubjectsTest, IndividualIsVerifiedEncryptedAndRevealedWithAudit) {
  std::string id = identity::MakeResidentId("110101", "19900101", 12);
  auto s = subjects_->CreateIndividual(user_, Person(id, "13900000002"), meta_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->id_number_masked, identity::MaskIdNumber(id));
  EXPECT_EQ(s->verification_source, "development");
  {
    auto tx = *db_->Begin(storage::TxMode::kRead);
    auto rows = *tx->Query(
        "SELECT real_name_enc, id_number_enc, phone_enc, id_number_index FROM "
        "subjects");
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(rows.rows[0].Bytes(i).find(id), std::string::npos);
      EXPECT_EQ(rows.rows[0].Bytes(i).find("13900000002"), std::string::npos);
      EXPECT_EQ(rows.rows[0].Bytes(i).find("测试人"), std::string::npos);
    }
  }
  EXPECT_EQ(subjects_->Reveal("user:9", s->id, "", meta_).status().reason(), "reason_required");
  auto pii = subjects_->Reveal("user:9", s->id, "court order 12", meta_);
  ASSERT_TRUE(pii.ok());
  EXPECT_EQ(pii->id_number, id);
  EXPECT_EQ(pii->real_name, "测试人");
  auto page = audit_.Query(*db_, audit::Filter{.action = "pii.reveal", .limit = 10});
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].actor, "user:9");
  EXPECT_NE(page->entries[0].details.find("court order 12"), std::string::npos);
  EXPECT_EQ(page->entries[0].details.find(id), std::string::npos);
}

TEST_F(SubjectsTest, MismatchIsRecordedAndRefused) {
  std::string id = identity::MakeResidentId("110101", "19900101", 999);  // dev marker
  auto s = subjects_->CreateIndividual(user_, Person(id, "13900000002"), meta_);
  EXPECT_EQ(s.status().reason(), "identity_mismatch");
  auto tx = *db_->Begin(storage::TxMode::kRead);
  auto rows = *tx->Query("SELECT decision, reason, source FROM identity_checks");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Text(0), "mismatch");
  EXPECT_EQ(rows.rows[0].Text(1), "number_not_found");
  EXPECT_EQ(rows.rows[0].Text(2), "development");
  auto none = *tx->Query("SELECT COUNT(*) FROM subjects");
  EXPECT_EQ(none.rows[0].Int(0), 0);
}

TEST_F(SubjectsTest, FormatErrorsComeBeforeTheCodeIsSpent) {
  auto in = Person("110101199001011234", "13900000002");  // wrong check character
  in.id_number[17] = in.id_number[17] == '1' ? '2' : '1';
  auto bad = subjects_->CreateIndividual(user_, in, meta_);
  EXPECT_EQ(bad.status().field(), "id_number");
  in.id_number = identity::MakeResidentId("110101", "19900101", 13);
  EXPECT_TRUE(subjects_->CreateIndividual(user_, in, meta_).ok());  // the code still works
}

TEST_F(SubjectsTest, OutboxGatewayWritesPrivateFiles) {
  auto dir =
      std::filesystem::temp_directory_path() / ("herald-outbox-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  OutboxSmsGateway outbox(dir.string(), clock_);
  ASSERT_TRUE(outbox.Send({"13900000002", "code 123456", "subject"}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    std::string body((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(body.find("\"to\":\"13900000002\""), std::string::npos);
    ++files;
  }
  EXPECT_EQ(files, 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace herald::subjects
