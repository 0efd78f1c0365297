// The `herald names check` command: screens candidate account names against a protected-names
// file. Kept here (not in app/) so it can be tested with in-memory streams; app/main.cc only
// wires the flags.
#pragma once

#include <iosfwd>
#include <string>

namespace herald::names {

// Reads the protected-names file `protected_file` (format: names/protected_names.h,
// docs/names.md), then reads candidate names from `in`, one per line (a trailing \r is
// stripped), and writes one JSON object per input line, in order, to `out`:
//   {"name":"...","decision":"allow"|"review"|"reject","reason":"...",
//    "matches":[{"protected":"<name exactly as in the file>","score":0.92,"kind":"media",
//                "basis":"contains"}]}
// `matches` is ordered by score, best first (see names/name_checker.h for the rules; no subject
// is bound in this command). A line that is not valid UTF-8 yields
//   {"name":"<the line, each invalid byte replaced by U+FFFD>","error":"invalid_utf8"}
// and processing continues. Returns 0 when all input was processed; 2, with a message on `err`,
// when the file cannot be read or parsed or the normaliser cannot be built (missing OpenCC
// data).
int RunNamesCheck(const std::string& protected_file, std::istream& in, std::ostream& out,
                  std::ostream& err);

}  // namespace herald::names
