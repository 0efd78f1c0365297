// `herald dedup [--threshold T]`: the near-duplicate index on JSON lines, for operators checking
// a corpus and for tests (contract in docs/moderation.md).
//   stdin:  one JSON object per line {"id": "...", "text": "..."}
//   stdout: one JSON object per input line, in order: {"id": "...", "near": ["<ids of earlier
//           documents judged near-duplicates>"]}; a line that is not such an object gives
//           {"line": <n>, "error": "invalid_json" | "invalid_document" | "invalid_utf8"} and
//           processing continues.
// Returns the exit code: 0, or 2 when the normaliser cannot be built.
#pragma once

#include <iosfwd>

namespace herald::api {

int RunDedup(double threshold, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace herald::api
