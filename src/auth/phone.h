// Mobile numbers of mainland China: validation, normalisation and masking.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace herald::auth {

// Accepts "13800138000", "+8613800138000", "8613800138000" and the same with spaces or hyphens
// between digits; returns the 11-digit national number. InvalidArgument (reason
// "invalid_phone", field `field`) otherwise.
Result<std::string> NormalizePhone(std::string_view input, const std::string& field = "phone");

// "138****8000": the only form of a phone number that may appear in logs and public views.
std::string MaskPhone(std::string_view normalized);

}  // namespace herald::auth
