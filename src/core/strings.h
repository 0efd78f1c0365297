// Small string helpers used across modules. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace herald {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);
// Escapes `s` as the body of a JSON string (no surrounding quotes). Invalid UTF-8 bytes are
// replaced with U+FFFD so the output is always valid JSON.
std::string JsonEscape(std::string_view s);
// & < > " ' as HTML character references; every other byte as it is.
std::string HtmlEscape(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
bool StartsWith(std::string_view s, std::string_view prefix);
std::string ToLower(std::string_view s);
// `s` without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view s);

// A user-written text field: trimmed of ASCII whitespace, valid UTF-8, min_chars..max_chars
// code points, no control characters (newline and tab allowed when `multiline`). Returns the
// trimmed text, or InvalidArgument with `reason` and `field`.
Result<std::string> CheckTextField(std::string_view in, size_t min_chars, size_t max_chars,
                                   const std::string& reason, const std::string& field,
                                   bool multiline = false);

}  // namespace herald
