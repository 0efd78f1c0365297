#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/random.h"
#include "core/status.h"
#include "core/strings.h"

namespace herald {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd", "odd_number", "x");
  return x / 2;
}

Result<int> Quarter(int x) {
  HERALD_ASSIGN_OR_RETURN(int h, Half(x));
  HERALD_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, PropagatesReasonAndField) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().reason(), "odd_number");
  EXPECT_EQ(r.status().field(), "x");
  EXPECT_EQ(NotFound("gone").reason(), "not_found");
}

TEST(ClockTest, FormatsAndParsesRfc3339) {
  FakeClock clock;
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2026-01-01T00:00:00.000000Z");
  clock.Advance(kMicrosPerDay + 1500);
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2026-01-02T00:00:00.001500Z");
  Micros t = 0;
  ASSERT_TRUE(ParseRfc3339("2026-01-02T00:00:00.0015Z", &t));
  EXPECT_EQ(t, clock.Now());
  ASSERT_TRUE(ParseRfc3339("2026-01-02T08:00:00+08:00", &t));
  EXPECT_EQ(t, clock.Now() - 1500);
  for (const char* text : {"2024-02-29T23:59:59.999999Z", "2000-03-01T00:00:00.000000Z",
                           "1970-01-01T00:00:00.000000Z", "2099-12-31T12:34:56.000001Z"}) {
    ASSERT_TRUE(ParseRfc3339(text, &t)) << text;
    EXPECT_EQ(FormatRfc3339(t), text);
  }
  EXPECT_FALSE(ParseRfc3339("2026-13-02T00:00:00Z", &t));
  EXPECT_FALSE(ParseRfc3339("yesterday", &t));
  EXPECT_FALSE(ParseRfc3339("2026-01-02T00:00:00", &t));
}

TEST(RandomTest, SeededIsRepeatableAndSystemVaries) {
  SeededRandom a(7), b(7), c(8);
  EXPECT_EQ(a.Bytes(16), b.Bytes(16));
  EXPECT_NE(a.Bytes(16), c.Bytes(16));
  SystemRandom s;
  EXPECT_NE(s.Bytes(32), s.Bytes(32));
  for (int i = 0; i < 100; ++i) EXPECT_LT(s.Uniform(10), 10u);
}

TEST(CryptoTest, Sha256KnownVector) {
  EXPECT_EQ(crypto::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string bin;
  ASSERT_TRUE(crypto::HexDecode("00ff10", &bin));
  EXPECT_EQ(crypto::HexEncode(bin), "00ff10");
  EXPECT_FALSE(crypto::HexDecode("0g", &bin));
}

TEST(CryptoTest, PasswordHashIsArgon2idAndVerifies) {
  auto h = crypto::HashPassword("correct horse", crypto::PasswordHashProfile::kMinimum);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(StartsWith(*h, "$argon2id$"));
  EXPECT_TRUE(crypto::VerifyPassword(*h, "correct horse"));
  EXPECT_FALSE(crypto::VerifyPassword(*h, "correct horsf"));
  EXPECT_FALSE(crypto::VerifyPassword("garbage", "correct horse"));
}

TEST(CryptoTest, SealOpenDetectsTamperingAndWrongContext) {
  std::string key(crypto::kKeyBytes, 'k');
  std::string sealed = crypto::Seal(key, "13800138000", "users.phone");
  EXPECT_EQ(sealed.find("13800138000"), std::string::npos);
  EXPECT_EQ(*crypto::Open(key, sealed, "users.phone"), "13800138000");
  EXPECT_FALSE(crypto::Open(key, sealed, "users.other").ok());
  sealed[30] ^= 1;
  EXPECT_EQ(crypto::Open(key, sealed, "users.phone").status().reason(), "decrypt_failed");
}

TEST(CryptoTest, BlindIndexIsKeyedAndDeterministic) {
  std::string k1(32, 'a'), k2(32, 'b');
  EXPECT_EQ(crypto::BlindIndex(k1, "phone", "138"), crypto::BlindIndex(k1, "phone", "138"));
  EXPECT_NE(crypto::BlindIndex(k1, "phone", "138"), crypto::BlindIndex(k2, "phone", "138"));
  EXPECT_NE(crypto::BlindIndex(k1, "phone", "138"), crypto::BlindIndex(k1, "id", "138"));
}

TEST(CryptoTest, KeyFileCreatedWithMode0600AndReloaded) {
  auto dir = std::filesystem::temp_directory_path() / ("herald_key_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::string path = (dir / "keys" / "master.key").string();
  auto k1 = crypto::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*crypto::LoadOrCreateKeyFile(path), *k1);
  chmod(path.c_str(), 0644);
  EXPECT_EQ(crypto::LoadOrCreateKeyFile(path).status().code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove_all(dir);
}

TEST(StringsTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("公众账号 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8"));      // truncated
  EXPECT_EQ(Utf8Length("公众a"), 3u);
  EXPECT_EQ(JsonEscape("a\"\n\x01\xff"), "a\\\"\\n\\u0001\xEF\xBF\xBD");
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>\n"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\n");
}

TEST(ConfigTest, FileThenEnvironmentWithValidation) {
  auto path = std::filesystem::temp_directory_path() / ("herald_cfg_" + std::to_string(getpid()));
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("data_dir = \"/tmp/x\"\n[server]\nport = 9000\n[auth]\nsession_ttl_hours = 2\n", f);
    std::fclose(f);
  }
  auto c = LoadConfig(path.string(), {{"HERALD_SERVER_PORT", "9100"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.port, 9100);
  EXPECT_EQ(c->auth.session_ttl_hours, 2);
  EXPECT_EQ(c->DatabaseUrl(), "sqlite:////tmp/x/herald.db");

  auto bad = LoadConfig(path.string(), {{"HERALD_SERVER_PORT", "nine"}});
  EXPECT_EQ(bad.status().field(), "server.port");
  auto short_logs = LoadConfig("", {{"HERALD_LOG_RETENTION_DAYS", "30"}});
  EXPECT_EQ(short_logs.status().field(), "log.retention_days");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("[server]\nprot = 1\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(LoadConfig(path.string(), {}).status().field(), "server.prot");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace herald
