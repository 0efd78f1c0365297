#include "auth/phone.h"

namespace herald::auth {

Result<std::string> NormalizePhone(std::string_view input, const std::string& field) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if ((c == ' ' || c == '-') && !digits.empty()) {
      continue;
    } else {
      return InvalidArgument("phone must be a mainland China mobile number", "invalid_phone",
                             field);
    }
    if (digits.size() > 13) break;
  }
  if (digits.size() == 13 && digits.compare(0, 2, "86") == 0) {
    digits.erase(0, 2);
  } else if (plus) {
    return InvalidArgument("only +86 numbers are supported", "invalid_phone", field);
  }
  if (digits.size() != 11 || digits[0] != '1' || digits[1] < '3') {
    return InvalidArgument("phone must be an 11-digit mainland China mobile number starting 13-19",
                           "invalid_phone", field);
  }
  return digits;
}

std::string MaskPhone(std::string_view n) {
  if (n.size() != 11) return "***";
  return std::string(n.substr(0, 3)) + "****" + std::string(n.substr(7));
}

}  // namespace herald::auth
