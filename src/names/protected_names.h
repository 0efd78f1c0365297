// Protected names: the list of government bodies, media, enterprises, institutions and public
// figures whose names an account may only use with a matching identity, and its file format.
//
// File format (UTF-8, one entry per line; docs/names.md has the full description):
//   name<TAB>kind[<TAB>bound_subject_id]
// `kind` is one of government, media, enterprise, institution, public_figure. The optional third
// column is the id of the subject (the verified organisation or person) entitled to the name.
// Lines that are blank (only spaces or tabs, after removing a trailing \r) or start with '#' are
// skipped. The name is kept exactly as written (it is what checks report back) and must not be
// empty; spaces around the kind and the id are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace herald::names {

struct ProtectedName {
  std::string name;
  std::string kind;  // government, media, enterprise, institution, public_figure
  std::optional<int64_t> bound_subject_id;
};

// True for the five kinds above.
bool IsProtectedNameKind(std::string_view kind);

// Parses a protected-names file. Returns the entries in file order (duplicates kept).
// Errors: InvalidArgument, reason "invalid_protected_names", with a message naming the 1-based
// line number, for: invalid UTF-8, a line without a tab, an empty name, an unknown kind, a bad
// subject id (not a positive decimal integer) or more than three columns.
Result<std::vector<ProtectedName>> ParseProtectedNames(std::string_view file_text);

}  // namespace herald::names
