// ScreeningService: seeding the default dictionary, API changes and file edits hot-reloaded,
// broken dictionaries rejected with the line while the old version stays in force.
#include "moderation/screening_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace herald::moderation {
namespace {

namespace fs = std::filesystem;

class ScreeningServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = text::Normalizer::Create(ScreeningNormalizerOptions());
    ASSERT_TRUE(n.ok());
    norm_ = std::move(*n);
    root_ = fs::temp_directory_path() /
            ("herald_screening_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = (root_ / "dictionaries").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<ScreeningService> Open(std::vector<std::string> extra = {}) {
    auto s = ScreeningService::Open(dir_, std::move(extra), *norm_, clock_);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(*s) : nullptr;
  }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  // Moves the file's mtime so the poller sees a change even within one clock tick.
  static void Touch(const std::string& path, int seconds) {
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(seconds));
  }

  std::string Verdict(const ScreeningService& s, std::string_view text) {
    auto r = s.Screen(text);
    return r.ok() ? std::string(ActionName(r->verdict)) : r.status().reason();
  }

  FakeClock clock_;
  std::unique_ptr<text::Normalizer> norm_;
  fs::path root_;
  std::string dir_;
};

TEST_F(ScreeningServiceTest, NewDirectoryIsSeededWithTheDefaultDictionary) {
  auto s = Open();
  ASSERT_TRUE(s);
  EXPECT_TRUE(fs::exists(dir_ + "/platform.tsv"));
  EXPECT_EQ(Verdict(*s, "网上赌 博"), "block");
  EXPECT_EQ(Verdict(*s, "真是个大麻烦"), "allow");  // allow entry
  EXPECT_EQ(Verdict(*s, "今天天气不错"), "allow");
  auto info = s->Info();
  EXPECT_EQ(info.version, 1u);
  ASSERT_EQ(info.dictionaries.size(), 1u);
  EXPECT_EQ(info.dictionaries[0].name, "platform");
  EXPECT_GT(info.dictionaries[0].entries, 40u);
  // The default covers the categories the platform must screen from day one.
  for (const char* category :
       {"gambling", "fraud", "drugs", "pornography", "weapons", "illegal_services"}) {
    EXPECT_NE(std::string(DefaultTerms()).find(std::string("\t") + category + "\t"),
              std::string::npos)
        << category;
  }
}

TEST_F(ScreeningServiceTest, PutTakesEffectAndABrokenPutKeepsTheOldVersion) {
  auto s = Open();
  ASSERT_TRUE(s);
  auto before = s->Current();
  ASSERT_TRUE(s->Put("finance", "# finance\n非法集资\tfinance\treview\n").ok());
  EXPECT_EQ(Verdict(*s, "参与非法集资"), "review");
  EXPECT_EQ(s->Info().version, 2u);
  // A screen that started on the old version keeps it.
  auto old = before->Screen("参与非法集资");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->verdict, Action::kAllow);

  Status bad = s->Put("finance", "非法集资\tfinance\treview\n庞氏骗局\tfinance\tmaybe\n");
  EXPECT_EQ(bad.reason(), "invalid_terms");
  EXPECT_NE(bad.message().find("finance.tsv:2"), std::string::npos) << bad.message();
  EXPECT_EQ(Verdict(*s, "参与非法集资"), "review");  // still in force
  auto text = s->Read("finance");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("庞氏"), std::string::npos);  // the broken text was never written
  EXPECT_EQ(s->Put("../etc", "x\ty\tblock\n").reason(), "invalid_dictionary_name");
  EXPECT_EQ(s->Read("nope").status().reason(), "dictionary_not_found");

  ASSERT_TRUE(s->Remove("finance").ok());
  EXPECT_EQ(Verdict(*s, "参与非法集资"), "allow");
  EXPECT_EQ(s->Remove("finance").reason(), "dictionary_not_found");
}

TEST_F(ScreeningServiceTest, EmergencyTermsAreAppended) {
  auto s = Open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->AppendTerms("emergency", {"某地爆炸谣言\temergency\tblock"}).ok());
  ASSERT_TRUE(s->AppendTerms("emergency", {"假疫苗\temergency\treview"}).ok());
  EXPECT_EQ(Verdict(*s, "转发：某地爆炸谣言"), "block");
  EXPECT_EQ(Verdict(*s, "假 疫 苗"), "review");
  EXPECT_EQ(s->AppendTerms("emergency", {"半行"}).reason(), "invalid_terms");
  EXPECT_EQ(s->AppendTerms("emergency", {"a\nb\tx\tblock"}).reason(), "invalid_terms");
  auto text = s->Read("emergency");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 2);
}

TEST_F(ScreeningServiceTest, FileEditsAreHotReloadedAndBrokenEditsRejected) {
  auto s = Open();
  ASSERT_TRUE(s);
  auto polled = s->PollForChanges();
  ASSERT_TRUE(polled.ok());
  EXPECT_FALSE(*polled);

  const std::string path = dir_ + "/weapons.tsv";
  Write(path, "弩箭\tweapons\tblock\n");
  polled = s->PollForChanges();
  ASSERT_TRUE(polled.ok()) << polled.status().message();
  EXPECT_TRUE(*polled);
  EXPECT_EQ(Verdict(*s, "出售弩箭"), "block");

  Write(path, "弩箭\tweapons\tblock\n管制刀具\tweapons\n");
  Touch(path, 1);
  polled = s->PollForChanges();
  EXPECT_EQ(polled.status().reason(), "invalid_terms");
  EXPECT_NE(s->Info().last_error.find("weapons.tsv:2"), std::string::npos);
  EXPECT_EQ(Verdict(*s, "出售弩箭"), "block");  // the old version is still in force
  polled = s->PollForChanges();                 // reported once per edit
  ASSERT_TRUE(polled.ok());
  EXPECT_FALSE(*polled);

  Write(path, "弩箭\tweapons\tblock\n管制刀具\tweapons\treview\n");
  Touch(path, 2);
  polled = s->PollForChanges();
  ASSERT_TRUE(polled.ok());
  EXPECT_TRUE(*polled);
  EXPECT_EQ(Verdict(*s, "管制刀具"), "review");
  EXPECT_EQ(s->Info().last_error, "");

  fs::remove(path);
  polled = s->PollForChanges();
  ASSERT_TRUE(polled.ok());
  EXPECT_TRUE(*polled);
  EXPECT_EQ(Verdict(*s, "出售弩箭"), "allow");
}

TEST_F(ScreeningServiceTest, ExtraFilesAreLoadedReadOnlyAndBrokenFilesStopStartUp) {
  const std::string extra = (root_ / "registration.tsv").string();
  Write(extra, "代购\tcommerce\treview\n");
  auto s = Open({extra});
  ASSERT_TRUE(s);
  EXPECT_EQ(Verdict(*s, "海外代购"), "review");
  auto info = s->Info();
  ASSERT_EQ(info.dictionaries.size(), 2u);
  EXPECT_FALSE(info.dictionaries[1].managed);
  s.reset();

  Write(dir_ + "/broken.tsv", "only-one-column\n");
  auto failed = ScreeningService::Open(dir_, {}, *norm_, clock_);
  EXPECT_EQ(failed.status().reason(), "invalid_terms");
}

TEST_F(ScreeningServiceTest, ScreeningContinuesWhileReloading) {
  auto s = Open();
  ASSERT_TRUE(s);
  std::atomic<bool> stop{false};
  std::atomic<int> screened{0}, wrong{0};
  std::thread reader([&] {
    while (!stop) {
      auto r = s->Screen("网上赌博");
      if (!r.ok() || r->verdict != Action::kBlock) ++wrong;
      ++screened;
    }
  });
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(s->Put("extra", "词" + std::to_string(i) + "\tx\tflag\n").ok());
  }
  stop = true;
  reader.join();
  EXPECT_GT(screened.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(s->Info().version, 21u);
}

}  // namespace
}  // namespace herald::moderation
