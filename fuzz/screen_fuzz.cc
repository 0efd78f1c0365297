// libFuzzer target: the screening engine as the dictionary API and every write path reach it.
// The input is a term file and a text separated by the first NUL byte: the term file goes
// through moderation::Dictionary::Load (parsing, normalisation of every term, Vectorscan
// compilation), the text through Screen (normalisation with offset mapping, matching, allow
// filtering) and Mask. Invariants: a refused term file fails with invalid_terms naming a line;
// matches lie inside the text, are sorted, never `allow`, and never stronger than the verdict.
// Seeds: fuzz/corpus/screen.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "moderation/screen.h"
#include "text/normalizer.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

const herald::text::Normalizer& Norm() {
  static auto norm =
      herald::text::Normalizer::Create(herald::moderation::ScreeningNormalizerOptions());
  Check(norm.ok());
  return **norm;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using herald::moderation::Action;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\0');
  const std::string_view terms = input.substr(0, cut);
  const std::string_view text = cut == std::string_view::npos ? "" : input.substr(cut + 1);
  if (terms.size() > 4096) return 0;  // a few dozen entries exercise the same code

  auto dict = herald::moderation::Dictionary::Load({{"fuzz.tsv", std::string(terms)}}, Norm());
  if (!dict.ok()) {
    Check(dict.status().reason() == "invalid_terms" || dict.status().reason() == "matcher_error");
    if (dict.status().reason() == "invalid_terms") {
      Check(dict.status().message().rfind("fuzz.tsv:", 0) == 0);
    }
    return 0;
  }
  auto r = (*dict)->Screen(text);
  if (!r.ok()) {
    Check(r.status().reason() == "invalid_utf8");
    return 0;
  }
  size_t prev_start = 0;
  for (const auto& m : r->matches) {
    Check(m.start < m.end && m.end <= text.size());
    Check(m.start >= prev_start);
    prev_start = m.start;
    Check(m.action != Action::kAllow);
    const Action counted = m.action == Action::kReplace ? Action::kFlag : m.action;
    Check(counted <= r->verdict);
  }
  if (r->matches.empty()) Check(r->verdict == Action::kAllow);
  std::string masked = herald::moderation::Mask(text, r->matches);
  (void)masked;
  return 0;
}
