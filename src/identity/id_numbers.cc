#include "identity/id_numbers.h"

#include <array>
#include <cstdint>

#include "core/strings.h"

namespace herald::identity {

namespace {

constexpr size_t kIdLength = 18;
constexpr size_t kCreditLength = 18;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

int DigitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string TrimAndUpper(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// ---- GB 11643-1999 ----

Status IdError(std::string message, std::string reason) {
  return InvalidArgument(std::move(message), std::move(reason), "id_number");
}

// ISO 7064 MOD 11-2 over the first 17 digits (all must be digits).
char ResidentCheckChar(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::array<char, 11> kMap = {'1', '0', 'X', '9', '8', '7',
                                                '6', '5', '4', '3', '2'};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kMap[sum % 11];
}

bool KnownProvince(int code) {
  return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
         (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
         code == 81 || code == 82 || code == 83;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsCalendarDate(int y, int m, int d) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  int max = kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0);
  return d <= max;
}

// Today's date in China Standard Time as "YYYYMMDD": birth dates on the card are local dates,
// and someone born just after midnight in Beijing is born "tomorrow" in UTC.
std::string TodayInChina(Micros now) {
  std::string rfc = FormatRfc3339(now + 8 * kMicrosPerHour);  // "YYYY-MM-DDT..."
  return rfc.substr(0, 4) + rfc.substr(5, 2) + rfc.substr(8, 2);
}

// ---- GB 32100-2015 ----

// The 31-character alphabet of credit codes; a character's value is its index.
constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

int CreditValue(char c) {
  size_t pos = kCreditAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

Status CreditError(std::string message, std::string reason) {
  return InvalidArgument(std::move(message), std::move(reason), "credit_code");
}

// GB 32100 check character over the first 17 characters (all must be in the alphabet).
char CreditCheckChar(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                   29, 25, 13, 8,  24, 10, 30, 28};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += CreditValue(first17[i]) * kWeights[i];
  int check = 31 - sum % 31;
  return kCreditAlphabet[check == 31 ? 0 : check];
}

// GB 11714 check character of an organisation code body (8 characters; digits are 0-9 and
// letters A-Z are 10-35).
char OrgCodeCheckChar(std::string_view body8) {
  static constexpr std::array<int, 8> kWeights = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    char c = body8[i];
    int v = IsDigit(c) ? c - '0' : c - 'A' + 10;
    sum += v * kWeights[i];
  }
  int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

// GB 32100-2015 Table 1: registration authority and the organisation categories under it.
struct Authority {
  char code;
  std::string_view categories;
};
constexpr std::array<Authority, 4> kAuthorities = {{
    {'1', "1239"},  // 机构编制: 机关, 事业单位, 群众团体, 其他
    {'5', "1239"},  // 民政: 社会团体, 民办非企业单位, 基金会, 其他
    {'9', "123"},   // 工商: 企业, 个体工商户, 农民专业合作社
    {'Y', "1"},     // 其他
}};

bool KnownCategory(char authority, char category) {
  for (const Authority& a : kAuthorities) {
    if (a.code == authority) return a.categories.find(category) != std::string_view::npos;
  }
  return false;
}

// Keeps the first `front` and last `back` code points of valid UTF-8 `s`, replacing every other
// code point with '*'; masks everything when `s` has front + back code points or fewer, or is
// not valid UTF-8.
std::string MaskMiddle(std::string_view s, size_t front, size_t back) {
  if (!IsValidUtf8(s)) return std::string(s.size(), '*');
  size_t n = Utf8Length(s);
  if (n <= front + back) return std::string(n, '*');
  std::string out;
  out.reserve(s.size());
  size_t index = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
    if (index < front || index >= n - back) {
      out.append(s.substr(i, len));
    } else {
      out.push_back('*');
    }
    ++index;
    i += len;
  }
  return out;
}

}  // namespace

std::string NormalizeResidentId(std::string_view id) { return TrimAndUpper(id); }

Status ValidateResidentId(std::string_view id, Micros now) {
  if (id.size() != kIdLength) {
    return IdError("an identity number has exactly 18 characters", "id_number_length");
  }
  if (!AllDigits(id.substr(0, 17)) || !(IsDigit(id[17]) || id[17] == 'X')) {
    return IdError("an identity number is 17 digits followed by a digit or X", "id_number_charset");
  }
  if (!KnownProvince(DigitsValue(id.substr(0, 2)))) {
    return IdError("the identity number's first two digits name no province-level region",
                   "id_number_region");
  }
  std::string_view birth = id.substr(6, 8);
  int year = DigitsValue(birth.substr(0, 4));
  int month = DigitsValue(birth.substr(4, 2));
  int day = DigitsValue(birth.substr(6, 2));
  if (year < 1900 || !IsCalendarDate(year, month, day)) {
    return IdError("the identity number's birth date is not a valid date since 1900",
                   "id_number_birth_date");
  }
  if (birth > std::string_view(TodayInChina(now))) {
    return IdError("the identity number's birth date is in the future", "id_number_birth_date");
  }
  if (ResidentCheckChar(id) != id[17]) {
    return IdError("the identity number's check character does not match", "id_number_checksum");
  }
  return Status::Ok();
}

std::string MaskIdNumber(std::string_view id) { return MaskMiddle(id, 3, 4); }

std::string MakeResidentId(std::string_view region6, std::string_view birth_yyyymmdd,
                           int sequence3) {
  if (region6.size() != 6 || !AllDigits(region6) || birth_yyyymmdd.size() != 8 ||
      !AllDigits(birth_yyyymmdd) || sequence3 < 0 || sequence3 > 999) {
    return {};
  }
  std::string id;
  id.reserve(kIdLength);
  id.append(region6);
  id.append(birth_yyyymmdd);
  id.push_back(static_cast<char>('0' + sequence3 / 100));
  id.push_back(static_cast<char>('0' + sequence3 / 10 % 10));
  id.push_back(static_cast<char>('0' + sequence3 % 10));
  id.push_back(ResidentCheckChar(id));
  return id;
}

std::string NormalizeCreditCode(std::string_view code) { return TrimAndUpper(code); }

Status ValidateCreditCode(std::string_view code) {
  if (code.size() != kCreditLength) {
    return CreditError("a unified social credit code has exactly 18 characters",
                       "credit_code_length");
  }
  for (char c : code) {
    if (CreditValue(c) < 0) {
      return CreditError(
          "a unified social credit code uses only digits and the letters A-Z without I, O, Z, S "
          "and V",
          "credit_code_charset");
    }
  }
  if (!KnownCategory(code[0], code[1])) {
    return CreditError(
        "the credit code's registration authority and organisation category are not a known "
        "pair",
        "credit_code_category");
  }
  if (!AllDigits(code.substr(2, 6))) {
    return CreditError("the credit code's characters 3 to 8 must be an administrative division",
                       "credit_code_region");
  }
  if (CreditCheckChar(code) != code[17]) {
    return CreditError("the credit code's check character does not match", "credit_code_checksum");
  }
  return Status::Ok();
}

std::string MaskCreditCode(std::string_view code) { return MaskMiddle(code, 3, 4); }

std::string MakeCreditCode(char authority, char category, std::string_view region6,
                           std::string_view org_code_body8) {
  if (region6.size() != 6 || !AllDigits(region6) || org_code_body8.size() != 8 ||
      CreditValue(authority) < 0 || CreditValue(category) < 0) {
    return {};
  }
  for (char c : org_code_body8) {
    if (CreditValue(c) < 0) return {};
  }
  std::string code;
  code.reserve(kCreditLength);
  code.push_back(authority);
  code.push_back(category);
  code.append(region6);
  code.append(org_code_body8);
  code.push_back(OrgCodeCheckChar(org_code_body8));
  code.push_back(CreditCheckChar(code));
  return code;
}

std::string MaskName(std::string_view utf8) {
  if (utf8.empty()) return {};
  if (!IsValidUtf8(utf8)) return std::string(utf8.size(), '*');
  size_t n = Utf8Length(utf8);
  if (n == 1) return "*";
  return MaskMiddle(utf8, 1, 0);
}

}  // namespace herald::identity
