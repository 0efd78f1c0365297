#include "moderation/screen.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "core/strings.h"
#include "text/utf8.h"

namespace herald::moderation {
namespace {

hs_database_t* Db(void* p) { return static_cast<hs_database_t*>(p); }
hs_scratch_t* Scratch(void* p) { return static_cast<hs_scratch_t*>(p); }

bool ParseAction(std::string_view s, Action* out) {
  for (Action a :
       {Action::kBlock, Action::kReview, Action::kFlag, Action::kReplace, Action::kAllow}) {
    if (s == ActionName(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

// A raw hit: pattern id and the end offset in the normalised text.
struct Hit {
  unsigned id;
  unsigned long long to;
};

int OnMatch(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/,
            void* ctx) {
  static_cast<std::vector<Hit>*>(ctx)->push_back(Hit{id, to});
  return 0;  // continue: every match is wanted
}

}  // namespace

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kAllow:
      return "allow";
    case Action::kFlag:
      return "flag";
    case Action::kReplace:
      return "replace";
    case Action::kReview:
      return "review";
    case Action::kBlock:
      return "block";
  }
  return "allow";
}

text::NormalizerOptions ScreeningNormalizerOptions() {
  text::NormalizerOptions o;
  o.nfkc_casefold = true;
  o.traditional_to_simplified = true;
  o.fold_lookalikes = true;
  o.fold_cjk_lookalikes = false;
  o.drop_noise = true;
  return o;
}

// Lends one scratch from the dictionary's pool (cloning the prototype when the pool is empty)
// and returns it on destruction. The pool grows to the peak number of concurrent callers.
class Dictionary::ScratchLease {
 public:
  explicit ScratchLease(const Dictionary& d) : d_(d) {
    {
      std::lock_guard<std::mutex> lock(d_.pool_mu_);
      if (!d_.pool_.empty()) {
        scratch_ = d_.pool_.back();
        d_.pool_.pop_back();
        return;
      }
    }
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(Scratch(d_.prototype_), &clone) == HS_SUCCESS) scratch_ = clone;
  }
  ~ScratchLease() {
    if (!scratch_) return;
    std::lock_guard<std::mutex> lock(d_.pool_mu_);
    d_.pool_.push_back(scratch_);
  }
  void* get() const { return scratch_; }

 private:
  const Dictionary& d_;
  void* scratch_ = nullptr;
};

Dictionary::~Dictionary() {
  for (void* s : pool_) hs_free_scratch(Scratch(s));
  if (prototype_) hs_free_scratch(Scratch(prototype_));
  if (database_) hs_free_database(Db(database_));
}

Result<std::shared_ptr<const Dictionary>> Dictionary::Load(const std::vector<File>& files,
                                                           const text::Normalizer& norm) {
  std::shared_ptr<Dictionary> d(new Dictionary(norm));
  for (const auto& file : files) {
    // Not a structured binding: clang 14 (the fuzz and sanitizer builds) cannot capture one.
    const std::string& name = file.first;
    std::string_view body = file.second;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    int line_no = 0;
    for (std::string_view line : Split(body, '\n')) {
      ++line_no;
      auto bad = [&](const std::string& why) {
        return InvalidArgument(name + ":" + std::to_string(line_no) + ": " + why, "invalid_terms",
                               name);
      };
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!IsValidUtf8(line)) return bad("not valid UTF-8");
      std::string_view trimmed = Trim(line);
      if (trimmed.empty() || trimmed.front() == '#') continue;
      auto cols = Split(line, '\t');
      if (cols.size() != 3) {
        return bad("expected term<TAB>category<TAB>action, found " + std::to_string(cols.size()) +
                   " column(s)");
      }
      Entry e;
      e.term = std::string(cols[0]);
      e.category = std::string(Trim(cols[1]));
      std::string_view action = Trim(cols[2]);
      if (!ParseAction(action, &e.action)) {
        return bad("unknown action '" + std::string(action) +
                   "' (expected block, review, flag, replace or allow)");
      }
      if (e.category.empty()) return bad("empty category");
      auto folded = norm.Fold(e.term);
      if (!folded.ok()) return bad(folded.status().message());
      if (folded->empty()) return bad("the term '" + e.term + "' is empty after normalisation");
      e.normalized = std::move(*folded);
      d->entries_.push_back(std::move(e));
    }
  }
  if (d->entries_.empty()) return std::shared_ptr<const Dictionary>(std::move(d));

  // Terms are compiled as literals (no regex meta-characters to escape). Start offsets are not
  // requested from Vectorscan (no HS_FLAG_SOM_LEFTMOST): for a literal, start = end - length.
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> ids, flags;
  for (size_t i = 0; i < d->entries_.size(); ++i) {
    exprs.push_back(d->entries_[i].normalized.data());
    lens.push_back(d->entries_[i].normalized.size());
    ids.push_back(static_cast<unsigned>(i));
    flags.push_back(0);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* compile_error = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                           &compile_error) != HS_SUCCESS) {
    std::string why = compile_error && compile_error->message ? compile_error->message : "?";
    hs_free_compile_error(compile_error);
    return Internal("cannot compile the screening terms: " + why, "matcher_error");
  }
  d->database_ = db;
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    return Internal("cannot allocate Vectorscan scratch space", "matcher_error");
  }
  d->prototype_ = scratch;
  return std::shared_ptr<const Dictionary>(std::move(d));
}

Result<ScreenResult> Dictionary::Screen(std::string_view input) const {
  HERALD_ASSIGN_OR_RETURN(text::Normalized n, norm_.Normalize(input));
  ScreenResult result;
  if (!database_ || n.text.empty()) return result;
  if (n.text.size() > UINT32_MAX) {
    return InvalidArgument("text too large to screen", "text_too_large");
  }

  std::vector<Hit> hits;
  {
    ScratchLease lease(*this);
    if (!lease.get()) return Internal("cannot allocate Vectorscan scratch space", "matcher_error");
    hs_error_t rc = hs_scan(Db(database_), n.text.data(), static_cast<unsigned>(n.text.size()), 0,
                            Scratch(lease.get()), OnMatch, &hits);
    if (rc != HS_SUCCESS) return Internal("Vectorscan scan failed", "matcher_error");
  }

  // Spans in the normalised text. Vectorscan may report one (id, end) more than once.
  struct Span {
    size_t begin, end;
    unsigned id;
  };
  std::vector<Span> allows, found;
  for (const Hit& h : hits) {
    const Entry& e = entries_[h.id];
    Span s{static_cast<size_t>(h.to) - e.normalized.size(), static_cast<size_t>(h.to), h.id};
    (e.action == Action::kAllow ? allows : found).push_back(s);
  }

  // Allow occurrences sorted by begin, with the running maximum of their ends: a match
  // [b, e) lies inside some allow occurrence iff the largest end among allows beginning at or
  // before b reaches e.
  std::sort(allows.begin(), allows.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<size_t> max_end(allows.size());
  for (size_t i = 0; i < allows.size(); ++i) {
    max_end[i] = std::max(allows[i].end, i > 0 ? max_end[i - 1] : 0);
  }
  auto inside_allow = [&](const Span& s) {
    auto it = std::upper_bound(allows.begin(), allows.end(), s.begin,
                               [](size_t b, const Span& a) { return b < a.begin; });
    if (it == allows.begin()) return false;
    return max_end[static_cast<size_t>(it - allows.begin()) - 1] >= s.end;
  };

  struct Mapped {
    size_t start, end;
    unsigned id;
    bool operator<(const Mapped& o) const {
      return std::tie(start, end, id) < std::tie(o.start, o.end, o.id);
    }
    bool operator==(const Mapped& o) const {
      return start == o.start && end == o.end && id == o.id;
    }
  };
  std::vector<Mapped> mapped;
  mapped.reserve(found.size());
  for (const Span& s : found) {
    if (inside_allow(s)) continue;
    auto [start, end] = text::MapSpan(n, s.begin, s.end);
    mapped.push_back(Mapped{start, end, s.id});
  }
  // Different normalised spans can map to one original span (ß → ss matched by "s" twice).
  std::sort(mapped.begin(), mapped.end());
  mapped.erase(std::unique(mapped.begin(), mapped.end()), mapped.end());

  result.matches.reserve(mapped.size());
  for (const Mapped& m : mapped) {
    const Entry& e = entries_[m.id];
    Action strength = e.action == Action::kReplace ? Action::kFlag : e.action;
    if (strength > result.verdict) result.verdict = strength;
    result.matches.push_back(Match{e.term, e.category, e.action, m.start, m.end});
  }
  return result;
}

std::string Mask(std::string_view original, const std::vector<Match>& matches) {
  std::vector<std::pair<size_t, size_t>> spans;
  for (const Match& m : matches) {
    if (m.action != Action::kReplace) continue;
    size_t b = std::min(m.start, original.size());
    size_t e = std::min(m.end, original.size());
    if (b < e) spans.emplace_back(b, e);
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(original.size());
  size_t pos = 0;
  for (auto [b, e] : spans) {
    if (e <= pos) continue;
    b = std::max(b, pos);
    out.append(original.substr(pos, b - pos));
    size_t i = b;
    while (i < e) {
      char32_t cp;
      size_t len = text::DecodeUtf8(original, i, &cp);
      i += len == 0 ? 1 : len;
      out += '*';
    }
    pos = i;  // past e when a span ends inside a code point: that code point is masked whole
  }
  out.append(original.substr(pos));
  return out;
}

}  // namespace herald::moderation
