// The `herald screen` command: screens text lines against moderation term files. Kept here (not
// in app/) so it can be tested with in-memory streams; app/main.cc only wires the flags.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace herald::moderation {

// Loads the term files `term_files` together into one Dictionary (format: moderation/screen.h,
// docs/moderation.md; the normaliser uses ScreeningNormalizerOptions()), then reads texts from
// `in`, one per line (a trailing \r is stripped), and writes one JSON object per input line, in
// order, to `out`:
//   {"line":1,"verdict":"allow"|"flag"|"review"|"block",
//    "matches":[{"term":"<term exactly as in the file>","category":"...","action":"...",
//                "start":0,"end":6}]}
// `line` counts from 1; start/end are byte offsets into the input line (end exclusive); matches
// are sorted by start, then end, then dictionary order; a `replace` match counts as flag. A line
// that is not valid UTF-8 yields
//   {"line":n,"verdict":"allow","matches":[],"error":"invalid_utf8"}
// and processing continues. Output is flushed whenever `in` has no buffered input left, so a
// caller sending one line at a time gets each answer before sending the next. Returns 0 when all
// input was processed; 2, with a message on `err`, when a term file cannot be read or parsed (the
// message names the file and line) or the normaliser or matcher cannot be built.
int RunScreen(const std::vector<std::string>& term_files, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace herald::moderation
