#include "api/dedup_cli.h"

#include <boost/json.hpp>
#include <istream>
#include <ostream>
#include <string>

#include "moderation/dedup.h"
#include "moderation/screen.h"
#include "text/normalizer.h"

namespace herald::api {

int RunDedup(double threshold, std::istream& in, std::ostream& out, std::ostream& err) {
  namespace json = boost::json;
  auto norm = text::Normalizer::Create(moderation::ScreeningNormalizerOptions());
  if (!norm.ok()) {
    err << "herald dedup: " << norm.status().ToString() << "\n";
    return 2;
  }
  moderation::NearDuplicateIndex index(**norm, threshold);
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto fail = [&](const char* code) {
      out << json::serialize(json::object{{"line", n}, {"error", code}}) << "\n";
    };
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec) {
      fail("invalid_json");
      continue;
    }
    const json::object* o = v.if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    const json::value* text = o ? o->if_contains("text") : nullptr;
    if (!id || !text || !id->is_string() || !text->is_string()) {
      fail("invalid_document");
      continue;
    }
    auto near = index.Add(std::string(id->as_string()), text->as_string());
    if (!near.ok()) {
      fail("invalid_utf8");
      continue;
    }
    json::array ids;
    for (const auto& x : *near) ids.emplace_back(x);
    out << json::serialize(json::object{{"id", id->as_string()}, {"near", std::move(ids)}}) << "\n";
  }
  out.flush();
  return 0;
}

}  // namespace herald::api
