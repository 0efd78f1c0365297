#include "names/names_cli.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/json_writer.h"
#include "core/strings.h"
#include "names/name_checker.h"
#include "names/protected_names.h"
#include "text/normalizer.h"

namespace herald::names {
namespace {

std::string FormatScore(double score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", score);
  return buf;
}

std::string MatchesJson(const std::vector<NameMatch>& matches) {
  std::string out = "[";
  for (size_t i = 0; i < matches.size(); ++i) {
    const NameMatch& m = matches[i];
    if (i > 0) out += ",";
    JsonObjectWriter w;
    w.Add("protected", m.protected_name)
        .AddRaw("score", FormatScore(m.score))
        .Add("kind", m.kind)
        .Add("basis", m.basis);
    if (m.closed) w.Add("closed", true);
    out += w.str();
  }
  out += "]";
  return out;
}

}  // namespace

int RunNamesCheck(const std::string& protected_file, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  std::error_code ec;
  std::ifstream file(protected_file, std::ios::binary);
  if (!file || std::filesystem::is_directory(protected_file, ec)) {
    err << "herald: cannot read protected names file '" << protected_file << "'\n";
    return 2;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) {
    err << "herald: error reading protected names file '" << protected_file << "'\n";
    return 2;
  }
  auto names = ParseProtectedNames(buffer.str());
  if (!names.ok()) {
    err << "herald: " << protected_file << ": " << names.status().ToString() << "\n";
    return 2;
  }
  text::NormalizerOptions options;
  options.fold_cjk_lookalikes = true;
  options.drop_noise = true;
  auto normalizer = text::Normalizer::Create(options);
  if (!normalizer.ok()) {
    err << "herald: " << normalizer.status().ToString() << "\n";
    return 2;
  }
  auto checker = NameChecker::Create(**normalizer, std::move(*names), {});
  if (!checker.ok()) {
    err << "herald: " << protected_file << ": " << checker.status().ToString() << "\n";
    return 2;
  }

  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!IsValidUtf8(line)) {
      // Add() escapes the name with JsonEscape, which replaces each invalid byte with U+FFFD.
      out << JsonObjectWriter().Add("name", line).Add("error", "invalid_utf8").str() << "\n";
    } else {
      NameCheck check = checker->Check(line);
      out << JsonObjectWriter()
                 .Add("name", line)
                 .Add("decision", DecisionName(check.decision))
                 .Add("reason", check.reason)
                 .AddRaw("matches", MatchesJson(check.matches))
                 .str()
          << "\n";
    }
    out.flush();
  }
  return 0;
}

}  // namespace herald::names
