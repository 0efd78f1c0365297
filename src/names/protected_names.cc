#include "names/protected_names.h"

#include <charconv>

#include "core/strings.h"

namespace herald::names {
namespace {

constexpr std::string_view kKinds[] = {"government", "media", "enterprise", "institution",
                                       "public_figure"};

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view TrimSpaces(std::string_view s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(' ');
  return s.substr(b, e - b + 1);
}

Status LineError(size_t line, std::string_view what) {
  return InvalidArgument("protected names, line " + std::to_string(line) + ": " + std::string(what),
                         "invalid_protected_names");
}

}  // namespace

bool IsProtectedNameKind(std::string_view kind) {
  for (std::string_view k : kKinds) {
    if (k == kind) return true;
  }
  return false;
}

Result<std::vector<ProtectedName>> ParseProtectedNames(std::string_view file_text) {
  std::vector<ProtectedName> out;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < file_text.size()) {
    size_t nl = file_text.find('\n', pos);
    std::string_view line =
        file_text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? file_text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!IsValidUtf8(line)) return LineError(line_no, "invalid UTF-8");
    if (IsBlank(line) || line.front() == '#') continue;
    std::vector<std::string_view> cols = Split(line, '\t');
    if (cols.size() < 2) return LineError(line_no, "expected name<TAB>kind");
    if (cols.size() > 3) return LineError(line_no, "too many columns");
    if (cols[0].empty()) return LineError(line_no, "empty name");
    for (size_t k = 1; k < cols.size(); ++k) cols[k] = TrimSpaces(cols[k]);
    if (!IsProtectedNameKind(cols[1])) {
      return LineError(line_no, "unknown kind '" + std::string(cols[1]) +
                                    "' (government, media, enterprise, institution, "
                                    "public_figure)");
    }
    ProtectedName entry{std::string(cols[0]), std::string(cols[1]), std::nullopt};
    if (cols.size() == 3) {
      int64_t id = 0;
      std::string_view s = cols[2];
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || id <= 0) {
        return LineError(line_no, "bound subject id must be a positive integer");
      }
      entry.bound_subject_id = id;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace herald::names
