#include "feed/feed_service.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <set>
#include <unordered_set>

#include "core/crypto.h"
#include "core/strings.h"

namespace herald::feed {

using internal::ItemFromRow;
using internal::kItemColumns;
using storage::Backend;
using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr int kMaxQueryChars = 64;
constexpr int kMaxTerms = 8;
constexpr int kMaxOffset = 1000;
constexpr int kMaxCandidates = 2000;    // the newest matches a search ranks
constexpr size_t kSnippetBefore = 40;   // characters of context before the first match
constexpr size_t kSnippetLength = 160;  // characters in a snippet

// --- UTF-8 helpers (input is well-formed UTF-8: it comes out of the Normalizer) ---

std::vector<char32_t> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves `i` back (or forward) by `chars` code points, staying on character boundaries.
size_t BackChars(std::string_view s, size_t i, size_t chars) {
  while (i > 0 && chars > 0) {
    --i;
    while (i > 0 && IsContinuation(s[i])) --i;
    --chars;
  }
  return i;
}
size_t ForwardChars(std::string_view s, size_t i, size_t chars) {
  while (i < s.size() && chars > 0) {
    ++i;
    while (i < s.size() && IsContinuation(s[i])) ++i;
    --chars;
  }
  return i;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Runs of whitespace become one space; leading and trailing whitespace goes.
std::string CollapseSpaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (IsSpace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string Hex(char32_t cp) {
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(cp));
  return std::string(buf, static_cast<size_t>(n));
}

// The unigram/bigram tokens of folded text for the SQLite gram index: every character as
// "u<hex>" and every pair of adjacent characters as "b<hex>x<hex>", except those containing a
// space. ASCII-only tokens, so the FTS5 `ascii` tokenizer keeps each one whole.
// Each token once (the index keeps neither positions nor counts), in order of first use.
std::string GramTokens(std::string_view folded) {
  std::vector<char32_t> cps = CodePoints(folded);
  std::string out;
  out.reserve(cps.size() * 8);
  std::unordered_set<std::string> seen;
  auto add = [&](std::string tok) {
    if (!seen.insert(tok).second) return;
    out += tok;
    out += ' ';
  };
  for (size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == U' ') continue;
    add("u" + Hex(cps[i]));
    if (i + 1 < cps.size() && cps[i + 1] != U' ') add("b" + Hex(cps[i]) + "x" + Hex(cps[i + 1]));
  }
  return out;
}

std::string EncodeUtf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// A search term: folded text, its length in characters.
struct Term {
  std::string text;
  size_t chars = 0;
  bool Short() const { return chars < 3; }
};

// SQLite gram token of a short term (one or two characters).
std::string ShortToken(const Term& t) {
  std::vector<char32_t> cps = CodePoints(t.text);
  if (cps.size() == 1) return "u" + Hex(cps[0]);
  return "b" + Hex(cps[0]) + "x" + Hex(cps[1]);
}

// The grams (as text) a term needs in the PostgreSQL gram index: itself when short, else its
// distinct bigrams.
std::vector<std::string> PgGrams(const Term& t) {
  if (t.Short()) return {t.text};
  std::vector<char32_t> cps = CodePoints(t.text);
  std::set<std::string> grams;
  for (size_t i = 0; i + 1 < cps.size(); ++i)
    grams.insert(EncodeUtf8(cps[i]) + EncodeUtf8(cps[i + 1]));
  return {grams.begin(), grams.end()};
}

// A PostgreSQL array literal of text elements.
std::string PgTextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// A LIKE pattern matching `s` anywhere, with '!' as the escape character.
std::string LikeContains(std::string_view s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  out += '%';
  return out;
}

// An FTS5 string: the term in double quotes (a quote doubled), matched as a substring by the
// trigram tokenizer.
std::string FtsString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// Escaped for HTML, with line breaks and tabs as spaces (a snippet is one line).
std::string SnippetEscape(std::string_view s) {
  std::string flat(s);
  for (char& c : flat) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return HtmlEscape(flat);
}

// --- cursors: hex of "v1:<published_at>:<id>" ---

std::string EncodeCursor(Micros published_at, int64_t id) {
  return crypto::HexEncode("v1:" + std::to_string(published_at) + ":" + std::to_string(id));
}

Status BadCursor() {
  return InvalidArgument("cursor is not a cursor this feed returned", "invalid_cursor", "cursor");
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

// The (published_at, id) bound of a page: everything strictly older is on it.
Result<std::pair<int64_t, int64_t>> DecodeCursor(const std::string& cursor) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (cursor.empty()) return std::make_pair(kMax, kMax);
  if (cursor.size() > 128) return BadCursor();
  std::string raw;
  if (!crypto::HexDecode(cursor, &raw)) return BadCursor();
  auto parts = Split(raw, ':');
  int64_t t = 0, id = 0;
  if (parts.size() != 3 || parts[0] != "v1" || !ParseInt(parts[1], &t) ||
      !ParseInt(parts[2], &id)) {
    return BadCursor();
  }
  return std::make_pair(t, id);
}

Status CheckLimit(int limit, int max) {
  if (limit < 1 || limit > max) {
    return InvalidArgument("limit must be between 1 and " + std::to_string(max), "invalid_limit",
                           "limit");
  }
  return Status();
}

// What to index for one queued row; `found` false when it is gone or not shown.
struct IndexDoc {
  bool found = false;
  std::string a, b;  // title / name; summary + body / bio
};

}  // namespace

namespace internal {

FeedItem ItemFromRow(const Row& r) {
  FeedItem it;
  it.article_id = r.Int(0);
  it.uid = r.Text(1);
  it.account_id = r.Int(2);
  it.account_name = r.Text(3);
  it.title = r.Text(4);
  it.summary = r.Text(5);
  it.category = r.Text(6);
  it.original = r.Int(7) != 0;
  it.advertising = r.Int(8) != 0;
  it.published_at = r.Int(9);
  it.cover_media_id = r.IsNull(10) ? "" : r.Text(10);  // kItemColumns has 11 columns
  return it;
}

}  // namespace internal

text::NormalizerOptions SearchNormalizerOptions() {
  text::NormalizerOptions o;
  o.nfkc_casefold = true;
  o.traditional_to_simplified = true;
  o.fold_lookalikes = false;  // would fold Cyrillic and Greek words to Latin look-alikes
  o.fold_cjk_lookalikes = false;
  o.drop_noise = false;  // keep spaces and punctuation: "a b" must not match "ab"
  return o;
}

FeedService::FeedService(storage::Database& db, const text::Normalizer& norm, FeedOptions options)
    : db_(db), norm_(norm), options_(std::move(options)) {
  if (db.backend() == Backend::kSqlite) {
    timeline_cache_ = std::make_unique<internal::TimelineCache>();
  }
}

Result<int64_t> FeedService::PruneTimelineChanges(int64_t keep) {
  if (db_.backend() != Backend::kSqlite) return int64_t{0};
  int64_t n = 0;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    HERALD_ASSIGN_OR_RETURN(n, internal::TimelineCache::Prune(tx, keep));
    return Status();
  }));
  return n;
}

std::string FeedService::Fold(std::string_view s) const {
  auto folded = norm_.Fold(s);
  return CollapseSpaces(folded.ok() ? std::string_view(*folded) : s);
}

// ---------------------------------------------------------------------------------------------
// Timeline and latest

namespace {

// The page for candidate keys (newest first, at most limit + 1) found by the timeline cache, its
// listing columns read in `tx`; nullopt when a row is no longer visible in this snapshot.
// A page from the timeline cache's candidates: the listing columns it holds, the others read
// (and checked: still published, account active, same time) in `tx`; nullopt when a row
// changed under the cache.
Result<std::optional<FeedPage>> PageFromCandidates(Transaction& tx,
                                                   const std::vector<internal::Candidate>& cands,
                                                   int limit) {
  FeedPage out;
  const size_t shown = std::min(cands.size(), static_cast<size_t>(limit));
  std::vector<FeedItem> read;
  std::vector<Value> params;
  std::string sql;
  for (size_t i = 0; i < shown; ++i) {
    if (cands[i].item) continue;
    sql += params.empty() ? "?" : ",?";
    params.emplace_back(cands[i].key.second);
  }
  if (!params.empty()) {
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(std::string("SELECT ") + kItemColumns +
                     " FROM articles a JOIN accounts c ON c.id = a.account_id WHERE a.status = "
                     "'published' AND c.status = 'active' AND a.id IN (" +
                     sql + ")",
                 params));
    if (rows.size() != params.size()) return std::optional<FeedPage>();
    read.reserve(rows.size());
    for (const auto& r : rows.rows) read.push_back(ItemFromRow(r));
  }
  out.items.reserve(shown);
  for (size_t i = 0; i < shown; ++i) {
    const internal::Candidate& c = cands[i];
    if (c.item) {
      out.items.push_back(*c.item);
      continue;
    }
    auto it = std::find_if(read.begin(), read.end(),
                           [&](const FeedItem& x) { return x.article_id == c.key.second; });
    if (it == read.end() || it->published_at != c.key.first) return std::optional<FeedPage>();
    out.items.push_back(std::move(*it));
  }
  if (cands.size() > static_cast<size_t>(limit)) {
    out.next_cursor = EncodeCursor(out.items.back().published_at, out.items.back().article_id);
  }
  return std::optional<FeedPage>(std::move(out));
}

}  // namespace

Result<FeedPage> FeedService::Timeline(int64_t user_id, const PageRequest& page) const {
  return Page("timeline", user_id, page);
}

Result<FeedPage> FeedService::Latest(const PageRequest& page) const {
  return Page("latest", 0, page);
}

Result<FeedPage> FeedService::AccountArticles(int64_t account_id, const PageRequest& page) const {
  return Page("account", account_id, page);
}

Result<FeedPage> FeedService::Page(const std::string& kind, int64_t user_id,
                                   const PageRequest& page) const {
  HERALD_RETURN_IF_ERROR(CheckLimit(page.limit, 100));
  HERALD_ASSIGN_OR_RETURN(auto bound, DecodeCursor(page.cursor));
  const int64_t take = page.limit + 1;  // one more tells whether there is a next page
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  const bool pg = tx->backend() == Backend::kPostgres;

  // Candidates are found from indexes alone (ids and times); the listing columns are read for
  // the page's rows only.
  if (kind == "timeline" && timeline_cache_) {
    HERALD_ASSIGN_OR_RETURN(
        auto cached, timeline_cache_->Candidates(*tx, user_id, bound, static_cast<int>(take)));
    if (cached) {
      HERALD_ASSIGN_OR_RETURN(auto p, PageFromCandidates(*tx, *cached, page.limit));
      if (p) return std::move(*p);
    }
    // Not servable from the cache (an older snapshot, or a row changed under it): the query.
  }

  std::string candidates;
  std::vector<Value> params;
  if (kind == "latest") {
    std::string grades;
    for (const auto& g : options_.unrecommended_grades) {
      grades += grades.empty() ? "?" : ",?";
      params.emplace_back(g);
    }
    candidates =
        "SELECT a.id AS id, a.published_at AS p FROM articles a "
        "JOIN accounts c ON c.id = a.account_id "
        "WHERE a.status = 'published' AND c.status = 'active' AND (a.published_at, a.id) < (?, "
        "?) " +
        (grades.empty() ? std::string()
                        : "AND NOT EXISTS (SELECT 1 FROM account_grades g WHERE g.account_id = "
                          "c.id AND g.grade IN (" +
                              grades + ")) ") +
        "ORDER BY a.published_at DESC, a.id DESC LIMIT ?";
    params.insert(params.begin(), {bound.first, bound.second});
    params.emplace_back(take);
  } else if (kind == "account") {
    // `user_id` is the account here.
    candidates =
        "SELECT a.id AS id, a.published_at AS p FROM articles a "
        "JOIN accounts c ON c.id = a.account_id "
        "WHERE a.account_id = ? AND a.status = 'published' AND c.status = 'active' "
        "AND (a.published_at, a.id) < (?, ?) ORDER BY a.published_at DESC, a.id DESC LIMIT ?";
    params = {user_id, bound.first, bound.second, take};
  } else if (pg) {
    // Each followed account contributes its `take` newest articles below the cursor.
    candidates =
        "SELECT x.id AS id, x.p AS p FROM social_follows f "
        "JOIN accounts c ON c.id = f.account_id "
        "CROSS JOIN LATERAL (SELECT a.id, a.published_at AS p FROM articles a "
        "  WHERE a.account_id = f.account_id AND a.status = 'published' "
        "    AND (a.published_at, a.id) < (?, ?) "
        "  ORDER BY a.published_at DESC, a.id DESC LIMIT ?) x "
        "WHERE f.user_id = ? AND c.status = 'active' ORDER BY x.p DESC, x.id DESC LIMIT ?";
    params = {bound.first, bound.second, take, user_id, take};
  } else {
    // SQLite has no LATERAL: the same bound as a lower limit on published_at, the time of the
    // account's take-th newest article below the cursor (an index range per followed account).
    candidates =
        "SELECT a.id AS id, a.published_at AS p FROM social_follows f "
        "JOIN accounts c ON c.id = f.account_id "
        "JOIN articles a ON a.account_id = f.account_id AND a.status = 'published' "
        "WHERE f.user_id = ? AND c.status = 'active' AND (a.published_at, a.id) < (?, ?) "
        "  AND a.published_at >= COALESCE((SELECT a2.published_at FROM articles a2 "
        "    WHERE a2.account_id = f.account_id AND a2.status = 'published' "
        "      AND (a2.published_at, a2.id) < (?, ?) "
        "    ORDER BY a2.published_at DESC, a2.id DESC LIMIT 1 OFFSET ?), 0) "
        "ORDER BY a.published_at DESC, a.id DESC LIMIT ?";
    params = {user_id, bound.first, bound.second, bound.first, bound.second, take - 1, take};
  }
  std::string sql = std::string("SELECT ") + kItemColumns + " FROM (" + candidates +
                    ") x JOIN articles a ON a.id = x.id JOIN accounts c ON c.id = a.account_id "
                    "ORDER BY x.p DESC, x.id DESC";
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  FeedPage out;
  for (const auto& r : rows.rows) {
    if (static_cast<int>(out.items.size()) == page.limit) break;
    out.items.push_back(ItemFromRow(r));
  }
  if (static_cast<int>(rows.size()) > page.limit && !out.items.empty()) {
    out.next_cursor = EncodeCursor(out.items.back().published_at, out.items.back().article_id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Search

namespace {

// One searchable kind: its copy of folded text, its indexes, how its rows are filtered.
struct Kind {
  const char* name;     // feed_search_dirty.kind
  const char* doc;      // the table of folded text
  const char* key;      // its key column
  const char* col_a;    // title / name
  const char* col_b;    // body / bio
  const char* fts;      // SQLite trigram FTS5 table
  const char* grams;    // SQLite unigram/bigram FTS5 table
  const char* join;     // joins from the key `K` to the shown rows
  const char* visible;  // the visibility condition
  const char* order;    // tie-break order
};

constexpr Kind kArticles{"article",
                         "feed_search_articles",
                         "article_id",
                         "title",
                         "body",
                         "feed_fts_articles",
                         "feed_fts_article_grams",
                         "JOIN articles a ON a.id = K JOIN accounts c ON c.id = a.account_id",
                         "a.status = 'published' AND c.status = 'active'",
                         "a.published_at DESC, a.id DESC"};
constexpr Kind kAccounts{"account",
                         "feed_search_accounts",
                         "account_id",
                         "name",
                         "bio",
                         "feed_fts_accounts",
                         "feed_fts_account_grams",
                         "JOIN accounts c ON c.id = K",
                         "c.status = 'active'",
                         "c.id DESC"};

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// The ranked keys of one page (limit + 1 rows) of matches of `terms`.
Result<std::vector<std::pair<int64_t, double>>> RankedKeys(Transaction& tx, const Kind& k,
                                                           const std::vector<Term>& terms,
                                                           int limit, int offset) {
  std::vector<Value> params;
  std::string sql;
  if (tx.backend() == Backend::kSqlite) {
    std::string longq, shortq;
    for (const auto& t : terms) {
      std::string& q = t.Short() ? shortq : longq;
      if (!q.empty()) q += ' ';
      q += t.Short() ? ShortToken(t) : FtsString(t.text);
    }
    // Trigram matches rank (bm25) when there is a long term; grams restrict them for short
    // ones. The gram index keeps no positions or counts (detail=none, distinct tokens): ranked
    // alone, a match scores 1 plus 10 per term found in the title (or name).
    const bool grams_only = longq.empty();
    const std::string main = grams_only ? k.grams : k.fts;
    const std::string key = main + ".rowid";
    std::string score = "-bm25(" + main + ", 10.0, 1.0)", join = Replace(k.join, "K", key);
    if (grams_only) {
      score = "1.0";
      for (const auto& t : terms) {
        score += std::string(" + 10.0 * (instr(d.") + k.col_a + ", ?) > 0)";
        params.push_back(t.text);
      }
      join += std::string(" JOIN ") + k.doc + " d ON d." + k.key + " = " + key;
    }
    // Only the newest kMaxCandidates matches are ranked: a very common term costs the same as
    // a rare one (FTS5 walks its rowids backwards for the bound).
    sql = "SELECT " + key + ", " + score + " AS score FROM " + main + " " + join + " WHERE " +
          main + " MATCH ? AND " + key + " >= COALESCE((SELECT rowid FROM " + main + " WHERE " +
          main + " MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?), 0) AND " + k.visible;
    params.push_back(grams_only ? shortq : longq);
    params.push_back(grams_only ? shortq : longq);
    params.push_back(int64_t{kMaxCandidates - 1});
    if (!longq.empty() && !shortq.empty()) {
      sql += std::string(" AND ") + key + " IN (SELECT rowid FROM " + k.grams + " WHERE " +
             k.grams + " MATCH ?)";
      params.push_back(shortq);
    }
  } else {
    // PostgreSQL: the gram GIN index finds candidates (a short term's own gram, a long term's
    // bigrams); LIKE confirms long terms (and can use the pg_trgm index when installed). The
    // score: occurrences in the title (or name) weigh 10, in the body (or bio) 1, the latter
    // damped by the body's length.
    const std::string a = std::string("d.") + k.col_a, b = std::string("d.") + k.col_b;
    const std::string doc = "(" + a + " || ' ' || " + b + ")";
    std::vector<std::string> grams;
    std::string where, score;
    for (const auto& t : terms) {
      for (auto& g : PgGrams(t)) grams.push_back(std::move(g));
      if (!t.Short()) {
        where += " AND " + doc + " LIKE ? ESCAPE '!'";
      }
      if (!score.empty()) score += " + ";
      score += "10.0 * (length(" + a + ") - length(replace(" + a + ", ?, ''))) / ? + " +
               "(length(" + b + ") - length(replace(" + b + ", ?, ''))) / ? / (1.0 + length(" + b +
               ") / 2000.0)";
    }
    // The newest kMaxCandidates matches are scored, as on SQLite.
    sql = "SELECT d." + std::string(k.key) + ", " + score + " AS score FROM (SELECT * FROM " +
          k.doc + " d WHERE feed_grams(" + doc + ") @> CAST(? AS TEXT[])" + where + " ORDER BY d." +
          k.key + " DESC LIMIT " + std::to_string(kMaxCandidates) + ") d " +
          Replace(k.join, "K", std::string("d.") + k.key) + " WHERE " + k.visible;
    for (const auto& t : terms) {
      const int64_t n = static_cast<int64_t>(t.chars);
      params.insert(params.end(), {t.text, n, t.text, n});
    }
    params.push_back(PgTextArray(grams));
    for (const auto& t : terms) {
      if (!t.Short()) params.push_back(LikeContains(t.text));
    }
  }
  sql += std::string(" ORDER BY score DESC, ") + k.order + " LIMIT ? OFFSET ?";
  params.push_back(static_cast<int64_t>(limit + 1));
  params.push_back(static_cast<int64_t>(offset));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<std::pair<int64_t, double>> out;
  for (const auto& r : rows.rows) out.emplace_back(r.Int(0), r.Double(1));
  return out;
}

// Byte ranges of `original` whose folded form is an occurrence of a term, merged and sorted.
std::vector<std::pair<size_t, size_t>> Matches(const text::Normalizer& norm,
                                               std::string_view original,
                                               const std::vector<Term>& terms) {
  std::vector<std::pair<size_t, size_t>> spans;
  auto n = norm.Normalize(original);
  if (!n.ok()) return spans;
  for (const auto& t : terms) {
    for (size_t pos = n->text.find(t.text); pos != std::string::npos && !t.text.empty();
         pos = n->text.find(t.text, pos + t.text.size())) {
      auto span = text::MapSpan(*n, pos, pos + t.text.size());
      if (span.second > span.first) spans.push_back(span);
    }
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<size_t, size_t>> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

// `s[begin, end)` escaped, with the matches inside it marked.
std::string Marked(std::string_view s, size_t begin, size_t end,
                   const std::vector<std::pair<size_t, size_t>>& spans) {
  std::string out;
  size_t pos = begin;
  for (const auto& [b, e] : spans) {
    if (e <= begin || b >= end) continue;
    size_t mb = std::max(b, begin), me = std::min(e, end);
    out += SnippetEscape(s.substr(pos, mb - pos));
    out += "<mark>" + SnippetEscape(s.substr(mb, me - mb)) + "</mark>";
    pos = me;
  }
  out += SnippetEscape(s.substr(pos, end - pos));
  return out;
}

// A window of `text` around its first match (its start when none), marked.
std::string Snippet(const text::Normalizer& norm, std::string_view text,
                    const std::vector<Term>& terms) {
  auto spans = Matches(norm, text, terms);
  size_t begin = spans.empty() ? 0 : BackChars(text, spans.front().first, kSnippetBefore);
  size_t end = ForwardChars(text, begin, kSnippetLength);
  std::string out = begin > 0 ? "…" : "";
  out += Marked(text, begin, end, spans);
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace

Result<SearchResult> FeedService::Search(const SearchRequest& req) {
  HERALD_RETURN_IF_ERROR(CheckLimit(req.limit, 50));
  if (req.offset < 0 || req.offset > kMaxOffset) {
    return InvalidArgument("offset must be between 0 and " + std::to_string(kMaxOffset),
                           "invalid_offset", "offset");
  }
  if (req.q.size() > 4 * kMaxQueryChars || !IsValidUtf8(req.q)) {
    return InvalidArgument("q must be at most 64 characters of text", "invalid_query", "q");
  }
  std::string folded = Fold(req.q);
  if (folded.empty()) return InvalidArgument("q must not be empty", "invalid_query", "q");
  if (Utf8Length(folded) > kMaxQueryChars) {
    return InvalidArgument("q must be at most 64 characters", "invalid_query", "q");
  }
  std::vector<Term> terms;
  std::set<std::string> seen;
  for (auto part : Split(folded, ' ')) {
    if (part.empty() || !seen.insert(std::string(part)).second) continue;
    terms.push_back(Term{std::string(part), Utf8Length(part)});
  }
  if (terms.size() > static_cast<size_t>(kMaxTerms)) {
    return InvalidArgument("q may have at most 8 words", "invalid_query", "q");
  }

  // Apply queued index changes first, so the search sees every committed change.
  HERALD_RETURN_IF_ERROR(SyncSearchIndex().status());

  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  const bool articles = req.type == SearchType::kArticles;
  HERALD_ASSIGN_OR_RETURN(
      auto keys, RankedKeys(*tx, articles ? kArticles : kAccounts, terms, req.limit, req.offset));
  SearchResult out;
  out.more = static_cast<int>(keys.size()) > req.limit;
  if (out.more) keys.resize(static_cast<size_t>(req.limit));
  for (const auto& [key, score] : keys) {
    SearchHit hit;
    hit.score = score;
    if (articles) {
      HERALD_ASSIGN_OR_RETURN(
          auto rows, tx->Query(std::string("SELECT ") + kItemColumns +
                                   ", COALESCE((SELECT s.body FROM article_sources s WHERE "
                                   "s.article_id = a.id), '') FROM articles a JOIN accounts c "
                                   "ON c.id = a.account_id"
                                   " WHERE a.id = ?",
                               {key}));
      if (rows.empty()) continue;
      FeedItem item = ItemFromRow(rows.rows[0]);
      const std::string body = rows.rows[0].Text(11);
      hit.account_id = item.account_id;
      hit.account_name = item.account_name;
      hit.category = item.category;
      hit.title_html = Marked(item.title, 0, item.title.size(), Matches(norm_, item.title, terms));
      // The summary when it holds a match, else the body.
      const bool in_summary = !Matches(norm_, item.summary, terms).empty();
      hit.snippet_html = Snippet(norm_, in_summary || body.empty() ? item.summary : body, terms);
      hit.article = std::move(item);
    } else {
      HERALD_ASSIGN_OR_RETURN(
          auto rows, tx->Query("SELECT id, name, bio, category FROM accounts WHERE id = ?", {key}));
      if (rows.empty()) continue;
      const Row& r = rows.rows[0];
      hit.account_id = r.Int(0);
      hit.account_name = r.Text(1);
      hit.account_bio = r.Text(2);
      hit.category = r.Text(3);
      hit.title_html = Marked(hit.account_name, 0, hit.account_name.size(),
                              Matches(norm_, hit.account_name, terms));
      hit.snippet_html = Snippet(norm_, hit.account_bio, terms);
    }
    out.hits.push_back(std::move(hit));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Index maintenance

Result<SyncReport> FeedService::SyncSearchIndex(int max_changes) {
  SyncReport report;
  {
    // Most calls find nothing to do: check that without taking the writer.
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(auto pending, tx->Query("SELECT 1 FROM feed_search_dirty LIMIT 1"));
    if (pending.empty()) return SyncReport{0, true};
  }
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    report = SyncReport{};
    HERALD_RETURN_IF_ERROR(tx.LockExclusive("feed_search_index"));
    const bool sqlite = tx.backend() == Backend::kSqlite;
    HERALD_ASSIGN_OR_RETURN(auto queued,
                            tx.Query("SELECT kind, ref_id, seq FROM feed_search_dirty LIMIT ?",
                                     {static_cast<int64_t>(max_changes) + 1}));
    report.drained = static_cast<int>(queued.size()) <= max_changes;
    for (size_t i = 0; i < queued.size() && static_cast<int>(i) < max_changes; ++i) {
      const std::string kind = queued.rows[i].Text(0);
      const int64_t id = queued.rows[i].Int(1), seq = queued.rows[i].Int(2);
      const Kind& k = kind == "account" ? kAccounts : kArticles;
      // What readers may find now: a published article, an active account.
      IndexDoc doc;
      if (&k == &kArticles) {
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("SELECT a.title, a.summary, COALESCE(s.body, '') FROM articles a LEFT JOIN "
                     "article_sources s ON s.article_id = a.id WHERE a.id = ? AND a.status = "
                     "'published'",
                     {id}));
        if (!rows.empty()) {
          doc = {true, Fold(rows.rows[0].Text(0)),
                 Fold(rows.rows[0].Text(1) + "\n" + rows.rows[0].Text(2))};
        }
      } else {
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("SELECT name, bio FROM accounts WHERE id = ? AND status = 'active'", {id}));
        if (!rows.empty()) doc = {true, Fold(rows.rows[0].Text(0)), Fold(rows.rows[0].Text(1))};
      }
      const std::string table(k.doc), key(k.key), a(k.col_a), b(k.col_b);
      HERALD_ASSIGN_OR_RETURN(
          auto old,
          tx.Query("SELECT " + a + ", " + b + " FROM " + table + " WHERE " + key + " = ?", {id}));
      const bool unchanged =
          doc.found && !old.empty() && old.rows[0].Text(0) == doc.a && old.rows[0].Text(1) == doc.b;
      if (!unchanged) {
        if (!old.empty()) {
          if (sqlite) {
            // External-content and contentless FTS5 tables forget a row given what it indexed.
            const std::string oa = old.rows[0].Text(0), ob = old.rows[0].Text(1);
            HERALD_RETURN_IF_ERROR(tx.Execute(std::string("INSERT INTO ") + k.fts + " (" + k.fts +
                                                  ", rowid, " + a + ", " + b +
                                                  ") VALUES ('delete', ?, ?, ?)",
                                              {id, oa, ob})
                                       .status());
            HERALD_RETURN_IF_ERROR(tx.Execute(std::string("INSERT INTO ") + k.grams + " (" +
                                                  k.grams + ", rowid, " + a + ", " + b +
                                                  ") VALUES ('delete', ?, ?, ?)",
                                              {id, GramTokens(oa), GramTokens(ob)})
                                       .status());
          }
          HERALD_RETURN_IF_ERROR(
              tx.Execute("DELETE FROM " + table + " WHERE " + key + " = ?", {id}).status());
        }
        if (doc.found) {
          HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO " + table + " (" + key + ", " + a + ", " +
                                                b + ") VALUES (?, ?, ?)",
                                            {id, doc.a, doc.b})
                                     .status());
          if (sqlite) {
            HERALD_RETURN_IF_ERROR(tx.Execute(std::string("INSERT INTO ") + k.fts + " (rowid, " +
                                                  a + ", " + b + ") VALUES (?, ?, ?)",
                                              {id, doc.a, doc.b})
                                       .status());
            HERALD_RETURN_IF_ERROR(tx.Execute(std::string("INSERT INTO ") + k.grams + " (rowid, " +
                                                  a + ", " + b + ") VALUES (?, ?, ?)",
                                              {id, GramTokens(doc.a), GramTokens(doc.b)})
                                       .status());
          }
        }
      }
      // Only this version of the change: a change queued meanwhile bumped seq and stays.
      HERALD_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM feed_search_dirty WHERE kind = ? AND ref_id = ? AND seq = ?",
                     {kind, id, seq})
              .status());
      ++report.applied;
    }
    return Status();
  }));
  return report;
}

// ---------------------------------------------------------------------------------------------
// Schema

std::vector<storage::Migration> FeedService::Migrations() {
  // Shared by both backends: indexes on other modules' tables for the feeds (created here, used
  // only by this module's queries) and the queue of changes to index.
  const std::string common = R"SQL(
CREATE INDEX IF NOT EXISTS feed_articles_account_pub ON articles (account_id, status, published_at, id);
CREATE INDEX IF NOT EXISTS feed_articles_pub ON articles (status, published_at, id);
CREATE TABLE feed_search_dirty (
  kind TEXT NOT NULL CHECK (kind IN ('article', 'account')),
  ref_id BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (kind, ref_id)
);
INSERT INTO feed_search_dirty (kind, ref_id, seq)
  SELECT 'article', id, 1 FROM articles WHERE status = 'published';
INSERT INTO feed_search_dirty (kind, ref_id, seq)
  SELECT 'account', id, 1 FROM accounts WHERE status = 'active';
)SQL";
  std::string sqlite = common + R"SQL(
CREATE TABLE feed_search_articles (
  article_id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE feed_search_accounts (
  account_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  bio TEXT NOT NULL
);
CREATE VIRTUAL TABLE feed_fts_articles USING fts5(title, body, content='feed_search_articles',
  content_rowid='article_id', tokenize='trigram');
CREATE VIRTUAL TABLE feed_fts_article_grams USING fts5(title, body, content='',
  tokenize='ascii');
CREATE VIRTUAL TABLE feed_fts_accounts USING fts5(name, bio, content='feed_search_accounts',
  content_rowid='account_id', tokenize='trigram');
CREATE VIRTUAL TABLE feed_fts_account_grams USING fts5(name, bio, content='',
  tokenize='ascii');
CREATE TRIGGER feed_articles_ins AFTER INSERT ON articles BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('article', NEW.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
CREATE TRIGGER feed_articles_upd AFTER UPDATE OF title, summary, body, status ON articles BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('article', NEW.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
CREATE TRIGGER feed_articles_del AFTER DELETE ON articles BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('article', OLD.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
CREATE TRIGGER feed_accounts_ins AFTER INSERT ON accounts BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('account', NEW.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
CREATE TRIGGER feed_accounts_upd AFTER UPDATE OF name, bio, status ON accounts BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('account', NEW.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
CREATE TRIGGER feed_accounts_del AFTER DELETE ON accounts BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('account', OLD.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
)SQL";
  std::string postgres = common + R"SQL(
CREATE TABLE feed_search_articles (
  article_id BIGINT PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE feed_search_accounts (
  account_id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  bio TEXT NOT NULL
);
-- Every character and every pair of adjacent characters without a space: the keys of the gram
-- index. Independent of the server's locale (pg_trgm ignores CJK characters under LC_CTYPE=C).
CREATE FUNCTION feed_grams(s TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT COALESCE(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(s, i, 1) AS g FROM generate_series(1, length(s)) AS i
    UNION ALL
    SELECT substr(s, i, 2) FROM generate_series(1, length(s) - 1) AS i) grams
  WHERE position(' ' IN g) = 0
$$;
CREATE INDEX feed_search_articles_grams ON feed_search_articles
  USING gin (feed_grams(title || ' ' || body));
CREATE INDEX feed_search_accounts_grams ON feed_search_accounts
  USING gin (feed_grams(name || ' ' || bio));
-- pg_trgm (contrib; trusted since PostgreSQL 13, so the database owner may create it) speeds up
-- LIKE for terms of three or more Latin letters or digits. Without it search still works, on the
-- gram index alone.
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available; search uses the gram index only';
  END;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX feed_search_articles_trgm ON feed_search_articles '
            'USING gin ((title || '' '' || body) gin_trgm_ops)';
    EXECUTE 'CREATE INDEX feed_search_accounts_trgm ON feed_search_accounts '
            'USING gin ((name || '' '' || bio) gin_trgm_ops)';
  END IF;
END $$;
CREATE FUNCTION feed_queue_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq)
    VALUES (TG_ARGV[0], CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER feed_articles_change AFTER INSERT OR DELETE OR UPDATE OF title, summary, body, status
  ON articles FOR EACH ROW EXECUTE FUNCTION feed_queue_change('article');
CREATE TRIGGER feed_accounts_change AFTER INSERT OR DELETE OR UPDATE OF name, bio, status
  ON accounts FOR EACH ROW EXECUTE FUNCTION feed_queue_change('account');
)SQL";
  // The gram indexes shrink to distinct tokens without positions (detail=none: about a third
  // of the size, faster to write); every row is indexed again.
  const std::string compact_grams = R"SQL(
DROP TABLE feed_fts_article_grams;
DROP TABLE feed_fts_account_grams;
CREATE VIRTUAL TABLE feed_fts_article_grams USING fts5(title, body, content='', detail='none',
  tokenize='ascii');
CREATE VIRTUAL TABLE feed_fts_account_grams USING fts5(name, bio, content='', detail='none',
  tokenize='ascii');
INSERT INTO feed_fts_articles (feed_fts_articles) VALUES ('delete-all');
INSERT INTO feed_fts_accounts (feed_fts_accounts) VALUES ('delete-all');
DELETE FROM feed_search_articles;
DELETE FROM feed_search_accounts;
INSERT INTO feed_search_dirty (kind, ref_id, seq)
  SELECT 'article', id, 1 FROM articles WHERE status = 'published'
  ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
INSERT INTO feed_search_dirty (kind, ref_id, seq)
  SELECT 'account', id, 1 FROM accounts WHERE status = 'active'
  ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
)SQL";
  // The timeline cache's change log (timeline_cache.h; SQLite only, so PostgreSQL only records
  // that the migration ran). Every change that can move an article into or out of a timeline.
  const std::string timeline_changes = R"SQL(
CREATE TABLE feed_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL
);
CREATE TRIGGER feed_changes_article_ins AFTER INSERT ON articles WHEN NEW.status = 'published'
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (NEW.account_id);
END;
CREATE TRIGGER feed_changes_article_upd AFTER UPDATE OF status, published_at, account_id
  ON articles WHEN OLD.status = 'published' OR NEW.status = 'published'
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (OLD.account_id);
  INSERT INTO feed_changes (account_id) SELECT NEW.account_id
    WHERE NEW.account_id <> OLD.account_id;
END;
CREATE TRIGGER feed_changes_article_del AFTER DELETE ON articles WHEN OLD.status = 'published'
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (OLD.account_id);
END;
CREATE TRIGGER feed_changes_account_upd AFTER UPDATE OF status ON accounts
  WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (NEW.id);
END;
CREATE TRIGGER feed_changes_account_del AFTER DELETE ON accounts
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (OLD.id);
END;
)SQL";
  // The cache also keeps the listing columns of each account's newest rows and each reader's
  // follows: the log names the reader of a follow change, and fires on the listed columns.
  const std::string timeline_rows = R"SQL(
ALTER TABLE feed_changes ADD COLUMN user_id INTEGER;
DROP TRIGGER feed_changes_article_upd;
CREATE TRIGGER feed_changes_article_upd AFTER UPDATE OF status, published_at, account_id, uid,
  title, summary, category, original, advertising, cover_media_id
  ON articles WHEN OLD.status = 'published' OR NEW.status = 'published'
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (OLD.account_id);
  INSERT INTO feed_changes (account_id) SELECT NEW.account_id
    WHERE NEW.account_id <> OLD.account_id;
END;
DROP TRIGGER feed_changes_account_upd;
CREATE TRIGGER feed_changes_account_upd AFTER UPDATE OF status, name ON accounts
  WHEN OLD.status IS NOT NEW.status OR OLD.name IS NOT NEW.name
BEGIN
  INSERT INTO feed_changes (account_id) VALUES (NEW.id);
END;
CREATE TRIGGER feed_changes_follow_ins AFTER INSERT ON social_follows
BEGIN
  INSERT INTO feed_changes (account_id, user_id) VALUES (NEW.account_id, NEW.user_id);
END;
CREATE TRIGGER feed_changes_follow_upd AFTER UPDATE OF user_id, account_id ON social_follows
BEGIN
  INSERT INTO feed_changes (account_id, user_id) VALUES (OLD.account_id, OLD.user_id);
  INSERT INTO feed_changes (account_id, user_id) VALUES (NEW.account_id, NEW.user_id);
END;
CREATE TRIGGER feed_changes_follow_del AFTER DELETE ON social_follows
BEGIN
  INSERT INTO feed_changes (account_id, user_id) VALUES (OLD.account_id, OLD.user_id);
END;
)SQL";
  return {
      {"feed/0001_feeds_search", sqlite, postgres},
      {"feed/0002_compact_grams", compact_grams,
       "COMMENT ON TABLE feed_search_dirty IS 'rows whose search index entry is out of date';\n"},
      {"feed/0003_timeline_changes", timeline_changes,
       "COMMENT ON TABLE feed_search_dirty IS 'rows whose search index entry is out of date "
       "(the timeline cache and its change log are SQLite only)';\n"},
      {"feed/0004_timeline_rows", timeline_rows,
       "COMMENT ON TABLE feed_search_dirty IS 'rows whose search index entry is out of date "
       "(the timeline cache and its change log are SQLite only)';\n"},
      // The Markdown body moved to article_sources (content/0006, which dropped this trigger
      // so that clearing the old column queued nothing): the row's body no longer changes,
      // and an edit sets the title, which the trigger watches.
      {"feed/0005_article_sources", R"SQL(
DROP TRIGGER IF EXISTS feed_articles_upd;
CREATE TRIGGER feed_articles_upd AFTER UPDATE OF title, summary, status ON articles BEGIN
  INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('article', NEW.id, 1)
    ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1;
END;
)SQL",
       R"SQL(
CREATE OR REPLACE TRIGGER feed_articles_change AFTER INSERT OR DELETE OR UPDATE OF title,
  summary, status ON articles FOR EACH ROW EXECUTE FUNCTION feed_queue_change('article');
)SQL"}};
}

}  // namespace herald::feed
