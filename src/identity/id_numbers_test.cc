#include "identity/id_numbers.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/clock.h"

namespace herald::identity {
namespace {

// 2026-01-01T00:00:00Z (FakeClock's default start): 2026-01-01 08:00 in China.
constexpr Micros kNow = 1767225600LL * kMicrosPerSecond;

Micros At(std::string_view rfc3339) {
  Micros t = 0;
  EXPECT_TRUE(ParseRfc3339(rfc3339, &t)) << rfc3339;
  return t;
}

// The reason a resident id is refused with, or "ok"; also checks the shape of every error.
std::string IdReason(std::string_view id, Micros now = kNow) {
  Status s = ValidateResidentId(id, now);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "id_number");
  EXPECT_FALSE(s.message().empty());
  // Personal data never reaches a message: not the number, nor any 6-character run of it.
  for (size_t i = 0; i + 6 <= id.size(); ++i) {
    EXPECT_EQ(s.message().find(id.substr(i, 6)), std::string::npos)
        << s.reason() << ": " << s.message();
  }
  return s.reason();
}

std::string CreditReason(std::string_view code) {
  Status s = ValidateCreditCode(code);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "credit_code");
  EXPECT_FALSE(s.message().empty());
  for (size_t i = 0; i + 6 <= code.size(); ++i) {
    EXPECT_EQ(s.message().find(code.substr(i, 6)), std::string::npos)
        << s.reason() << ": " << s.message();
  }
  return s.reason();
}

// An independent implementation of the GB 32100 check character, written from the standard,
// so that tests can build codes that are wrong in exactly one other respect.
char ReferenceCreditCheck(std::string_view first17) {
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    sum += static_cast<int>(alphabet.find(first17[i])) * weights[i];
  }
  return alphabet[(31 - sum % 31) % 31];
}

std::string WithCreditCheck(std::string first17) {
  first17.push_back(ReferenceCreditCheck(first17));
  return first17;
}

// ---- Resident identity numbers ----

TEST(ResidentIdTest, PublishedExampleWithXCheckDigitIsValid) {
  // The worked example of GB 11643-1999 (Beijing Chaoyang, born 1949-12-31, sequence 002).
  EXPECT_EQ(IdReason("11010519491231002X"), "ok");
  EXPECT_EQ(MakeResidentId("110105", "19491231", 2), "11010519491231002X");
}

TEST(ResidentIdTest, GeneratedNumbersValidate) {
  const char* regions[] = {"110101", "150102", "230103", "310104", "370105", "440305", "460106",
                           "500107", "540108", "650109", "810000", "820000", "830000"};
  int x_checks = 0;
  for (const char* region : regions) {
    for (int seq : {0, 1, 57, 999}) {
      std::string id = MakeResidentId(region, "19851107", seq);
      ASSERT_EQ(id.size(), 18u);
      EXPECT_EQ(IdReason(id), "ok") << region << " " << seq;
      if (id.back() == 'X') ++x_checks;
    }
  }
  // Some check characters are X: over many sequences about one in eleven.
  for (int seq = 0; seq < 200; ++seq) {
    std::string id = MakeResidentId("320102", "20010315", seq);
    EXPECT_EQ(IdReason(id), "ok");
    if (id.back() == 'X') ++x_checks;
  }
  EXPECT_GT(x_checks, 5);
}

TEST(ResidentIdTest, GeneratorRefusesMalformedParts) {
  EXPECT_EQ(MakeResidentId("11010", "19491231", 2), "");
  EXPECT_EQ(MakeResidentId("11010A", "19491231", 2), "");
  EXPECT_EQ(MakeResidentId("110105", "1949123", 2), "");
  EXPECT_EQ(MakeResidentId("110105", "19491231", -1), "");
  EXPECT_EQ(MakeResidentId("110105", "19491231", 1000), "");
}

TEST(ResidentIdTest, LengthIsChecked) {
  EXPECT_EQ(IdReason(""), "id_number_length");
  EXPECT_EQ(IdReason("11010519491231002"), "id_number_length");
  EXPECT_EQ(IdReason("11010519491231002X1"), "id_number_length");
  // The old 15-digit numbers are not accepted.
  EXPECT_EQ(IdReason("110105491231002"), "id_number_length");
  // 18 characters of which one is not ASCII is more than 18 bytes.
  EXPECT_EQ(IdReason("1101051949123100二X"), "id_number_length");
}

TEST(ResidentIdTest, CharsetIsChecked) {
  EXPECT_EQ(IdReason("11010519491231002x"), "id_number_charset");
  EXPECT_EQ(IdReason("1101051949123100X2"), "id_number_charset");
  EXPECT_EQ(IdReason("11010519491231002Y"), "id_number_charset");
  EXPECT_EQ(IdReason("110105-9491231002X"), "id_number_charset");
  EXPECT_EQ(IdReason(" 1010519491231002X"), "id_number_charset");
  EXPECT_EQ(IdReason(std::string_view("11010519"
                                      "\0"
                                      "91231002X",
                                      18)),
            "id_number_charset");
}

TEST(ResidentIdTest, NormalizeUpperCasesAndTrims) {
  EXPECT_EQ(NormalizeResidentId("11010519491231002x"), "11010519491231002X");
  EXPECT_EQ(NormalizeResidentId("  11010519491231002x\n"), "11010519491231002X");
  EXPECT_EQ(IdReason(NormalizeResidentId(" 11010519491231002x ")), "ok");
  EXPECT_EQ(NormalizeResidentId(""), "");
}

TEST(ResidentIdTest, RegionIsChecked) {
  for (const char* region :
       {"000000", "100000", "160000", "200000", "240000", "380000", "470000", "550000", "660000",
        "710000", "800000", "840000", "900000", "990000"}) {
    EXPECT_EQ(IdReason(MakeResidentId(region, "19900101", 123)), "id_number_region") << region;
  }
}

TEST(ResidentIdTest, BirthDateMustBeACalendarDate) {
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20000229", 1)), "ok");  // 2000 is a leap year
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20240229", 1)), "ok");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "19000229", 1)), "id_number_birth_date");  // not
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20230229", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20230230", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20230431", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20231301", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20230001", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20230100", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20231231", 1)), "ok");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20231232", 1)), "id_number_birth_date");
}

TEST(ResidentIdTest, BirthDateIsNotBefore1900) {
  EXPECT_EQ(IdReason(MakeResidentId("110101", "19000101", 1)), "ok");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "18991231", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "00000101", 1)), "id_number_birth_date");
  // GB 11643's other worked example (born 1880) has a correct check digit but is too old here.
  EXPECT_EQ(IdReason("440524188001010014"), "id_number_birth_date");
}

TEST(ResidentIdTest, BirthDateIsNotInTheFuture) {
  // kNow is 2026-01-01 08:00 in China.
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20260101", 1)), "ok");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20260102", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "20270101", 1)), "id_number_birth_date");
  EXPECT_EQ(IdReason(MakeResidentId("110101", "99991231", 1)), "id_number_birth_date");
  // The same number is valid once the day comes.
  std::string later = MakeResidentId("110101", "20260102", 1);
  EXPECT_EQ(IdReason(later, kNow + kMicrosPerDay), "ok");
}

TEST(ResidentIdTest, TodayIsTheDateInChina) {
  std::string id = MakeResidentId("310101", "20260101", 8);
  // 2025-12-31T16:30Z is 00:30 on 1 January in Beijing: born today, valid.
  EXPECT_EQ(IdReason(id, At("2025-12-31T16:30:00Z")), "ok");
  // 2025-12-31T15:30Z is still 31 December in Beijing.
  EXPECT_EQ(IdReason(id, At("2025-12-31T15:30:00Z")), "id_number_birth_date");
}

TEST(ResidentIdTest, ChecksumIsChecked) {
  const std::string good = MakeResidentId("440305", "19920718", 456);
  ASSERT_EQ(IdReason(good), "ok");
  int accepted = 0;
  for (char c : std::string("0123456789X")) {
    std::string id = good.substr(0, 17) + c;
    std::string reason = IdReason(id);
    if (reason == "ok") {
      ++accepted;
      EXPECT_EQ(id, good);
    } else {
      EXPECT_EQ(reason, "id_number_checksum");
    }
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(IdReason("11010519491231002"
                     "0"),
            "id_number_checksum");
}

TEST(ResidentIdTest, EverySingleDigitChangeIsCaught) {
  // MOD 11-2 detects every substitution of one character: no such change may validate.
  const std::string good = MakeResidentId("510104", "19780512", 321);
  ASSERT_EQ(IdReason(good), "ok");
  for (size_t pos = 0; pos < 17; ++pos) {
    for (char c = '0'; c <= '9'; ++c) {
      if (good[pos] == c) continue;
      std::string id = good;
      id[pos] = c;
      EXPECT_NE(IdReason(id), "ok") << "position " << pos;
    }
  }
}

TEST(ResidentIdTest, Masks) {
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "110***********002X");
  EXPECT_EQ(MaskIdNumber("12345678"), "123*5678");
  EXPECT_EQ(MaskIdNumber("1234567"), "*******");
  EXPECT_EQ(MaskIdNumber(""), "");
  EXPECT_EQ(MaskIdNumber("\xff\xfe"), "**");
  std::string masked = MaskIdNumber(MakeResidentId("110105", "19491231", 2));
  EXPECT_EQ(masked.find("1949"), std::string::npos);
}

// ---- Unified social credit codes ----

TEST(CreditCodeTest, PublishedSampleIsValid) {
  EXPECT_EQ(CreditReason("91350100M000100Y43"), "ok");
  // The generator reproduces it, including the GB 11714 check character '4' of the
  // organisation code M000100Y4.
  EXPECT_EQ(MakeCreditCode('9', '1', "350100", "M000100Y"), "91350100M000100Y43");
}

TEST(CreditCodeTest, GeneratedCodesValidate) {
  struct Pair {
    char authority, category;
  };
  const Pair pairs[] = {{'1', '1'}, {'1', '2'}, {'1', '3'}, {'1', '9'}, {'5', '1'}, {'5', '2'},
                        {'5', '3'}, {'5', '9'}, {'9', '1'}, {'9', '2'}, {'9', '3'}, {'Y', '1'}};
  const char* bodies[] = {"MA01ABCD", "00000000", "YYYYYYYY", "12345678", "L3QR7TUW"};
  for (const Pair& p : pairs) {
    for (const char* body : bodies) {
      std::string code = MakeCreditCode(p.authority, p.category, "110108", body);
      ASSERT_EQ(code.size(), 18u);
      EXPECT_EQ(CreditReason(code), "ok") << code;
      EXPECT_EQ(code.back(), ReferenceCreditCheck(code.substr(0, 17))) << code;
    }
  }
}

TEST(CreditCodeTest, GeneratorRefusesMalformedParts) {
  EXPECT_EQ(MakeCreditCode('9', '1', "35010", "M000100Y"), "");
  EXPECT_EQ(MakeCreditCode('9', '1', "35010A", "M000100Y"), "");
  EXPECT_EQ(MakeCreditCode('9', '1', "350100", "M000100"), "");
  EXPECT_EQ(MakeCreditCode('9', '1', "350100", "M000100I"), "");
  EXPECT_EQ(MakeCreditCode('S', '1', "350100", "M000100Y"), "");
}

TEST(CreditCodeTest, LengthIsChecked) {
  EXPECT_EQ(CreditReason(""), "credit_code_length");
  EXPECT_EQ(CreditReason("91350100M000100Y4"), "credit_code_length");
  EXPECT_EQ(CreditReason("91350100M000100Y433"), "credit_code_length");
}

TEST(CreditCodeTest, CharsetIsChecked) {
  for (char bad : std::string("IOZSVa-* ")) {
    std::string code = "91350100M000100Y43";
    code[10] = bad;
    EXPECT_EQ(CreditReason(code), "credit_code_charset") << bad;
  }
  EXPECT_EQ(CreditReason("91350100M000100Y4\xff"), "credit_code_charset");
}

TEST(CreditCodeTest, NormalizeUpperCasesAndTrims) {
  EXPECT_EQ(NormalizeCreditCode(" 91350100m000100y43\t"), "91350100M000100Y43");
  EXPECT_EQ(CreditReason("91350100m000100y43"), "credit_code_charset");
  EXPECT_EQ(CreditReason(NormalizeCreditCode("91350100m000100y43")), "ok");
}

TEST(CreditCodeTest, AuthorityAndCategoryAreChecked) {
  const char* refused[] = {"01", "21", "31", "81", "A1", "N1", "94", "99", "Y2",
                           "Y9", "14", "54", "10", "50", "90", "1A", "5Y"};
  for (const char* pair : refused) {
    std::string code = MakeCreditCode(pair[0], pair[1], "350100", "M000100Y");
    ASSERT_EQ(code.size(), 18u);
    EXPECT_EQ(CreditReason(code), "credit_code_category") << pair;
  }
}

TEST(CreditCodeTest, RegionMustBeDigits) {
  for (size_t pos = 2; pos < 8; ++pos) {
    std::string first17 = "91350100M000100Y4";
    first17[pos] = 'A';
    EXPECT_EQ(CreditReason(WithCreditCheck(first17)), "credit_code_region") << pos;
  }
  EXPECT_EQ(CreditReason(WithCreditCheck("91350100M000100Y4")), "ok");
}

TEST(CreditCodeTest, ChecksumIsChecked) {
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const std::string good = "91350100M000100Y43";
  int accepted = 0;
  for (char c : alphabet) {
    std::string code = good.substr(0, 17) + c;
    std::string reason = CreditReason(code);
    if (reason == "ok") {
      ++accepted;
      EXPECT_EQ(code, good);
    } else {
      EXPECT_EQ(reason, "credit_code_checksum");
    }
  }
  EXPECT_EQ(accepted, 1);
}

TEST(CreditCodeTest, EverySingleCharacterChangeIsCaught) {
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const std::string good = MakeCreditCode('5', '2', "440300", "ABCD1234");
  ASSERT_EQ(CreditReason(good), "ok");
  for (size_t pos = 0; pos < 17; ++pos) {
    for (char c : alphabet) {
      if (good[pos] == c) continue;
      std::string code = good;
      code[pos] = c;
      EXPECT_NE(CreditReason(code), "ok") << "position " << pos << " -> " << c;
    }
  }
}

TEST(CreditCodeTest, Masks) {
  EXPECT_EQ(MaskCreditCode("91350100M000100Y43"), "913***********0Y43");
  EXPECT_EQ(MaskCreditCode("9135"), "****");
}

// ---- Names ----

TEST(MaskNameTest, KeepsTheFirstCharacterOnly) {
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskName("阿卜杜·热合曼"), "阿******");
  EXPECT_EQ(MaskName("Li Lei"), "L*****");
  EXPECT_EQ(MaskName("𠀋一"), "𠀋*");  // a character outside the BMP is one character
  EXPECT_EQ(MaskName("张"), "*");
  EXPECT_EQ(MaskName(""), "");
  EXPECT_EQ(MaskName("\xe5\xbc"), "**");  // truncated UTF-8
}

}  // namespace
}  // namespace herald::identity
