// UTF-8 helpers for the text module and its users: decoding one code point at a time with full
// validation, encoding, and whole-string conversions. Pure functions, thread-safe.
//
// "Well-formed" follows RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF, no truncated sequences.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::text {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decodes the code point starting at s[i] (i < s.size()). On success stores it in *cp and
// returns the sequence length (1-4); returns 0 when the bytes at i are not a well-formed UTF-8
// sequence (*cp is then unspecified).
inline size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const size_t avail = s.size() - i;
  const unsigned char c = p[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (c < 0xE0) {
    if (avail < 2 || (p[1] & 0xC0) != 0x80) return 0;
    *cp = (char32_t(c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c < 0xF0) {
    if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    char32_t v = (char32_t(c & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return 3;
  }
  if (c < 0xF5) {
    if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    char32_t v = (char32_t(c & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) |
                 (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    if (v < 0x10000 || v > 0x10FFFF) return 0;
    *cp = v;
    return 4;
  }
  return 0;
}

// Appends the UTF-8 encoding of `cp` to *out. `cp` must be a scalar value (not a surrogate,
// at most U+10FFFF); anything else is encoded as U+FFFD.
void AppendUtf8(char32_t cp, std::string* out);

// Decodes all of `s`; std::nullopt when `s` is not well-formed UTF-8.
std::optional<std::u32string> DecodeUtf8String(std::string_view s);

// Encodes a sequence of code points (invalid ones become U+FFFD).
std::string EncodeUtf8(std::u32string_view s);

// Returns `s` with every byte that is not part of a well-formed sequence replaced by U+FFFD
// (one replacement per bad byte). Well-formed input is returned unchanged.
std::string SanitizeUtf8(std::string_view s);

}  // namespace herald::text
