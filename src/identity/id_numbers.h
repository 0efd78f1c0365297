// Checks of Chinese identity numbers: the 18-character resident identity number of a person
// (GB 11643-1999) and the 18-character unified social credit code of an organisation
// (GB 32100-2015), plus the masked forms that are the only ones allowed in logs and public views.
//
// These functions check the *form* of a number (length, alphabet, province, birth date, check
// character); they cannot tell whether the number was ever issued or belongs to the caller.
// Numbers are personal data: no Status produced here ever contains the number or a part of it.
//
// Every function is pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace herald::identity {

// ---- Resident identity numbers (公民身份号码, GB 11643-1999) ----

// Trims surrounding ASCII whitespace and upper-cases ASCII letters, so that a check character
// typed as "x" becomes "X". Does not validate: pass the result to ValidateResidentId.
std::string NormalizeResidentId(std::string_view id);

// OK when `id` (already normalised) is a well-formed resident identity number. Checks, in order,
// each failing with StatusCode::kInvalidArgument, field "id_number" and the reason shown:
//  1. exactly 18 ASCII characters                                       "id_number_length"
//  2. 17 digits followed by a digit or upper-case 'X'                    "id_number_charset"
//  3. the first two digits name a province-level region                  "id_number_region"
//       accepted: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65 (the mainland provinces, autonomous
//       regions and municipalities of GB/T 2260), and 81, 82, 83: the residence permits for
//       residents of Hong Kong, Macao and Taiwan (issued since 2018 in exactly this format and
//       checksum). 71 (Taiwan in GB/T 2260) is refused: no identity number is issued with it.
//       Digits 3-6 (city and county) are not checked; their table changes every year.
//  4. digits 7-14 are a real calendar date YYYYMMDD, not before 1900-01-01 and not after the
//     current date in China Standard Time (UTC+8) at `now`                "id_number_birth_date"
//  5. the ISO 7064 MOD 11-2 check character matches                      "id_number_checksum"
Status ValidateResidentId(std::string_view id, Micros now);

// "110***********123X": the first 3 and last 4 characters kept, every other one replaced by '*'
// (per Unicode character, so any input stays valid UTF-8). Inputs of 7 characters or fewer,
// and invalid UTF-8, are masked entirely.
std::string MaskIdNumber(std::string_view id);

// FOR TESTS AND DEMO DATA ONLY, so that no test needs a real person's number: builds
// region6 + birth_yyyymmdd + sequence (3 digits, zero-padded) + the correct check character.
// The parts are not validated beyond their shape (so tests can build numbers that fail exactly
// one check); returns an empty string when region6 is not 6 digits, birth_yyyymmdd not 8
// digits, or sequence3 outside 0..999.
std::string MakeResidentId(std::string_view region6, std::string_view birth_yyyymmdd,
                           int sequence3);

// ---- Unified social credit codes (统一社会信用代码, GB 32100-2015) ----

// Trims surrounding ASCII whitespace and upper-cases ASCII letters. Does not validate.
std::string NormalizeCreditCode(std::string_view code);

// OK when `code` (already normalised) is a well-formed unified social credit code. Checks, in
// order, each failing with StatusCode::kInvalidArgument, field "credit_code" and the reason shown:
//  1. exactly 18 ASCII characters                                       "credit_code_length"
//  2. every character in 0-9 A-Z without I, O, Z, S, V                    "credit_code_charset"
//  3. registration authority (1st) and organisation category (2nd), as listed in Table 1 of
//     GB 32100-2015:                                                     "credit_code_category"
//       1 机构编制 (establishment): 1 机关, 2 事业单位, 3 群众团体, 9 其他
//       5 民政 (civil affairs):     1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他
//       9 工商 (market regulation): 1 企业, 2 个体工商户, 3 农民专业合作社
//       Y 其他 (other):             1
//     Authorities assigned codes after 2015 (e.g. 3 司法行政, 8 工会, A, N) are refused until
//     the platform decides to admit them; extend the table in id_numbers.cc to do so.
//  4. characters 3-8 (the registering authority's administrative division) are digits
//                                                                        "credit_code_region"
//  5. the check character (18th) matches                                 "credit_code_checksum"
// The organisation code in characters 9-17 carries its own GB 11714 check character; it is not
// checked, since codes of some individual businesses do not follow GB 11714.
Status ValidateCreditCode(std::string_view code);

// Same shape as MaskIdNumber: "913***********0Y43", first 3 and last 4 characters kept.
std::string MaskCreditCode(std::string_view code);

// FOR TESTS AND DEMO DATA ONLY: builds authority + category + region6 + org_code_body8 + the
// GB 11714 check character of the organisation code + the GB 32100 check character. Parts are
// not validated beyond their shape; returns an empty string when region6 is not 6 digits,
// org_code_body8 is not 8 characters, or any character is outside the code's 31-character
// alphabet.
std::string MakeCreditCode(char authority, char category, std::string_view region6,
                           std::string_view org_code_body8);

// ---- Names ----

// The first character of a UTF-8 name kept and every further character replaced by one '*':
// "张三丰" → "张**". A one-character name becomes "*" (keeping it would reveal all of it);
// an empty name stays empty; invalid UTF-8 becomes one '*' per byte.
std::string MaskName(std::string_view utf8);

}  // namespace herald::identity
