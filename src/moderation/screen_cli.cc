#include "moderation/screen_cli.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/json_writer.h"
#include "moderation/screen.h"
#include "text/normalizer.h"

namespace herald::moderation {
namespace {

std::string MatchesJson(const std::vector<Match>& matches) {
  std::string out = "[";
  for (size_t i = 0; i < matches.size(); ++i) {
    const Match& m = matches[i];
    if (i > 0) out += ",";
    out += JsonObjectWriter()
               .Add("term", m.term)
               .Add("category", m.category)
               .Add("action", ActionName(m.action))
               .Add("start", static_cast<int64_t>(m.start))
               .Add("end", static_cast<int64_t>(m.end))
               .str();
  }
  out += "]";
  return out;
}

}  // namespace

int RunScreen(const std::vector<std::string>& term_files, std::istream& in, std::ostream& out,
              std::ostream& err) {
  std::vector<Dictionary::File> files;
  for (const std::string& path : term_files) {
    std::error_code ec;
    std::ifstream file(path, std::ios::binary);
    if (!file || std::filesystem::is_directory(path, ec)) {
      err << "herald: cannot read term file '" << path << "'\n";
      return 2;
    }
    std::stringstream buffer;
    buffer << file.rdbuf();
    if (file.bad()) {
      err << "herald: error reading term file '" << path << "'\n";
      return 2;
    }
    files.emplace_back(path, buffer.str());
  }
  auto normalizer = text::Normalizer::Create(ScreeningNormalizerOptions());
  if (!normalizer.ok()) {
    err << "herald: " << normalizer.status().ToString() << "\n";
    return 2;
  }
  auto dictionary = Dictionary::Load(files, **normalizer);
  if (!dictionary.ok()) {
    err << "herald: " << dictionary.status().ToString() << "\n";
    return 2;
  }

  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto result = (*dictionary)->Screen(line);
    JsonObjectWriter w;
    w.Add("line", line_no);
    if (result.ok()) {
      w.Add("verdict", ActionName(result->verdict)).AddRaw("matches", MatchesJson(result->matches));
    } else {
      // invalid_utf8 (or, for a line of 4 GiB, text_too_large): report and go on.
      w.Add("verdict", "allow").AddRaw("matches", "[]").Add("error", result.status().reason());
    }
    out << w.str() << "\n";
    // Flush when the next read may block, so a caller feeding one line at a time gets each
    // answer at once, while piped batches are written in large blocks.
    if (in.rdbuf()->in_avail() <= 0) out.flush();
  }
  return 0;
}

}  // namespace herald::moderation
