#include "content/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/strings.h"

namespace herald::content {

namespace {

// GFM extensions attached to every parser. Registration writes cmark-gfm's global registry,
// hence once.
constexpr const char* kExtensions[] = {"table", "strikethrough", "autolink", "tasklist"};

void EnsureRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

// cmark-gfm 0.29.0.gfm.6 keeps the extensions' special inline characters ('~', '|', ':', 'w')
// in a global table that every parser sets when fed and clears when finished: two parses at
// once lose strikethrough or autolinks at random (markdown_test.cc, ConcurrentCallsAgree).
// Parsing is therefore serialised; rendering and the passes over the tree are not.
std::mutex& ParseMutex() {
  static std::mutex mu;
  return mu;
}

// Tables in cmark-gfm 0.29.0.gfm.6 cost O(pipes²) per row (cells are appended to a linked list
// by walking it) and pad every row to the header's width: one line of 50,000 '|' took 5.6 s,
// a 5,000-column header over 15,000 short lines 545 s. A table has at most (pipes in its header
// + 1) columns and at most one row per line, so bounding both keeps tables cheap; a document
// beyond the bounds is rendered without the table extension (its pipes stay text).
constexpr size_t kMaxPipesPerLine = 128;
constexpr size_t kMaxTableCells = 50000;

bool TablesAffordable(std::string_view md) {
  size_t lines = 1, pipes = 0, max_pipes = 0;
  for (char c : md) {
    if (c == '|') {
      max_pipes = std::max(max_pipes, ++pipes);
    } else if (c == '\n' || c == '\r') {
      ++lines;
      pipes = 0;
    }
  }
  return max_pipes <= kMaxPipesPerLine && (max_pipes + 1) * lines <= kMaxTableCells;
}

// `s` with every byte that does not start a well-formed UTF-8 sequence replaced by U+FFFD.
// cmark-gfm writes the references &#xFFFE; and &#xFFFF; as the single bytes FE and FF.
std::string ToValidUtf8(std::string s) {
  if (IsValidUtf8(s)) return s;
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len > 0 && i + len <= s.size() && IsValidUtf8(std::string_view(s).substr(i, len))) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct IterDeleter {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};
struct CharDeleter {
  void operator()(char* p) const { std::free(p); }
};

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The URL as a browser's URL parser sees it before the scheme: leading and trailing C0 controls
// and spaces stripped, ASCII tab, LF and CR removed everywhere.
std::string BrowserNormalised(std::string_view url) {
  size_t b = 0, e = url.size();
  while (b < e && static_cast<unsigned char>(url[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(url[e - 1]) <= 0x20) --e;
  std::string out;
  out.reserve(e - b);
  for (size_t i = b; i < e; ++i) {
    if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r') out += url[i];
  }
  return out;
}

// The decoded value of an attribute as this renderer writes it: &amp; &lt; &gt; &quot; and
// numeric references. Anything else after '&' (a named reference such as &colon;) yields
// nullopt: the caller treats the value as unsafe.
std::optional<std::string> DecodeAttribute(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    const size_t semi = v.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) return std::nullopt;
    const std::string_view ent = v.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out += '&';
    } else if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent.size() >= 2 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return std::nullopt;
      unsigned long cp = 0;
      for (char c : digits) {
        int d;
        if (IsDigit(c)) {
          d = c - '0';
        } else if (hex && Lower(c) >= 'a' && Lower(c) <= 'f') {
          d = Lower(c) - 'a' + 10;
        } else {
          return std::nullopt;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
        if (cp > 0x10FFFF) return std::nullopt;
      }
      // Only the scheme matters to the caller: ASCII is decoded, the rest kept as a marker.
      out += cp < 0x80 ? static_cast<char>(cp) : '?';
    } else {
      return std::nullopt;
    }
    i = semi;
  }
  return out;
}

// --- the allowlist over rendered HTML ---

enum class Attr { kText, kHref, kSrc, kLanguageClass, kAlign, kStart, kCheckbox, kEmpty };

struct AllowedAttr {
  std::string_view tag, name;
  Attr kind;
};

constexpr std::string_view kTags[] = {"p",          "h1",    "h2", "h3",  "h4",  "h5",   "h6",
                                      "blockquote", "ul",    "ol", "li",  "pre", "code", "em",
                                      "strong",     "del",   "a",  "img", "br",  "hr",   "table",
                                      "thead",      "tbody", "tr", "th",  "td",  "input"};

constexpr AllowedAttr kAttrs[] = {{"a", "href", Attr::kHref},
                                  {"a", "title", Attr::kText},
                                  {"img", "src", Attr::kSrc},
                                  {"img", "alt", Attr::kText},
                                  {"img", "title", Attr::kText},
                                  {"ol", "start", Attr::kStart},
                                  {"code", "class", Attr::kLanguageClass},
                                  {"th", "align", Attr::kAlign},
                                  {"td", "align", Attr::kAlign},
                                  {"input", "type", Attr::kCheckbox},
                                  {"input", "checked", Attr::kEmpty},
                                  {"input", "disabled", Attr::kEmpty}};

bool TagAllowed(std::string_view name) {
  for (auto t : kTags) {
    if (t == name) return true;
  }
  return false;
}

bool AttrAllowed(std::string_view tag, std::string_view name, std::string_view value) {
  for (const auto& a : kAttrs) {
    if (a.tag != tag || a.name != name) continue;
    switch (a.kind) {
      case Attr::kText:
        return true;
      case Attr::kHref:
      case Attr::kSrc: {
        auto decoded = DecodeAttribute(value);
        return decoded && internal::IsSafeUrl(*decoded, a.kind == Attr::kSrc);
      }
      case Attr::kLanguageClass:
        return StartsWith(value, "language-");
      case Attr::kAlign:
        return value == "left" || value == "center" || value == "right";
      case Attr::kStart:
        if (value.empty() || value.size() > 10) return false;
        for (char c : value) {
          if (!IsDigit(c)) return false;
        }
        return true;
      case Attr::kCheckbox:
        return value == "checkbox";
      case Attr::kEmpty:
        return value.empty();
    }
  }
  return false;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Parses the tag at html[i] == '<'. On success appends its filtered form (or nothing, for a
// refused tag) to `out` and returns the index after its '>'; returns 0 when html[i] does not
// open a well-formed tag.
size_t FilterTag(std::string_view html, size_t i, std::string& out) {
  size_t p = i + 1;
  const bool closing = p < html.size() && html[p] == '/';
  if (closing) ++p;
  const size_t name_start = p;
  if (p >= html.size() || !IsAlpha(html[p])) return 0;
  while (p < html.size() && (IsAlpha(html[p]) || IsDigit(html[p]))) ++p;
  std::string name;
  for (size_t k = name_start; k < p; ++k) name += Lower(html[k]);
  std::string kept;
  bool self_closing = false;
  while (true) {
    while (p < html.size() && IsSpace(html[p])) ++p;
    if (p >= html.size()) return 0;
    if (html[p] == '>') break;
    if (html[p] == '/' && p + 1 < html.size() && html[p + 1] == '>') {
      self_closing = true;
      ++p;
      break;
    }
    if (closing || !IsAlpha(html[p])) return 0;
    const size_t a = p;
    while (p < html.size() && (IsAlpha(html[p]) || IsDigit(html[p]) || html[p] == '-')) ++p;
    std::string attr;
    for (size_t k = a; k < p; ++k) attr += Lower(html[k]);
    std::string_view value;
    if (p < html.size() && html[p] == '=') {
      if (p + 1 >= html.size() || html[p + 1] != '"') return 0;
      const size_t v = p + 2;
      const size_t q = html.find('"', v);
      if (q == std::string_view::npos) return 0;
      value = html.substr(v, q - v);
      p = q + 1;
    } else if (p < html.size() && !IsSpace(html[p]) && html[p] != '>' && html[p] != '/') {
      return 0;
    }
    if (AttrAllowed(name, attr, value)) {
      kept += ' ';
      kept += attr;
      kept += "=\"";
      for (char c : value) {
        if (c == '<') {
          kept += "&lt;";
        } else if (c == '>') {
          kept += "&gt;";
        } else {
          kept += c;
        }
      }
      kept += '"';
    }
  }
  if (TagAllowed(name)) {
    out += closing ? "</" : "<";
    out += name;
    out += kept;
    out += self_closing ? " />" : ">";
  }
  return p + 1;
}

// --- the AST pass ---

// Replaces `node` by its children (moved, in order, before it), then frees it. Where the tree
// refuses a child there, the node and its children go.
void Unwrap(cmark_node* node) {
  cmark_node* child = cmark_node_first_child(node);
  while (child) {
    cmark_node* next = cmark_node_next(child);
    if (!cmark_node_insert_before(node, child)) break;
    child = next;
  }
  cmark_node_free(node);
}

void Sanitise(cmark_node* doc) {
  std::vector<cmark_node*> drop, unwrap;
  {
    std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(doc));
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
      if (ev != CMARK_EVENT_ENTER) continue;
      cmark_node* n = cmark_iter_get_node(it.get());
      switch (cmark_node_get_type(n)) {
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_HTML_INLINE:
          drop.push_back(n);
          break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE: {
          const char* url = cmark_node_get_url(n);
          if (!internal::IsSafeUrl(url ? url : "", cmark_node_get_type(n) == CMARK_NODE_IMAGE)) {
            unwrap.push_back(n);
          }
          break;
        }
        default:
          break;
      }
    }
  }
  // Raw HTML nodes are leaves: they go first. Then links and images, deepest first (reverse
  // document order): when one is freed, nothing collected above is left inside it.
  for (cmark_node* n : drop) cmark_node_free(n);
  for (auto it = unwrap.rbegin(); it != unwrap.rend(); ++it) Unwrap(*it);
}

void EndLine(std::string& out) {
  if (!out.empty() && out.back() != '\n') out += '\n';
}

std::string PlainText(cmark_node* doc) {
  std::string out;
  std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(doc));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(it.get());
    const cmark_node_type type = cmark_node_get_type(n);
    const std::string_view type_name = cmark_node_get_type_string(n);
    if (ev == CMARK_EVENT_ENTER) {
      switch (type) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE: {
          const char* lit = cmark_node_get_literal(n);
          if (lit) out += lit;
          break;
        }
        case CMARK_NODE_CODE_BLOCK: {
          EndLine(out);
          const char* lit = cmark_node_get_literal(n);
          if (lit) out += lit;
          EndLine(out);
          break;
        }
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
          out += '\n';
          break;
        default:
          if (type_name == "table_cell" && cmark_node_previous(n)) out += ' ';
          break;
      }
    } else if (ev == CMARK_EVENT_EXIT) {
      if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING || type == CMARK_NODE_ITEM ||
          type == CMARK_NODE_BLOCK_QUOTE || type_name == "table_row" ||
          type_name == "table_header") {
        EndLine(out);
      }
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

namespace internal {

bool IsSafeUrl(std::string_view url_in, bool image) {
  const std::string url = BrowserNormalised(url_in);
  // A scheme is ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":"; without one the URL is relative.
  size_t i = 0;
  if (url.empty() || !IsAlpha(url[0])) return true;
  while (i < url.size() &&
         (IsAlpha(url[i]) || IsDigit(url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')) {
    ++i;
  }
  if (i == url.size() || url[i] != ':') return true;
  const std::string scheme = ToLower(std::string_view(url).substr(0, i));
  if (scheme == "http" || scheme == "https") return true;
  if (scheme == "mailto" || scheme == "tel") return !image;
  if (scheme == "data") {
    const std::string rest = ToLower(std::string_view(url).substr(i + 1));
    for (std::string_view type : {"image/png", "image/gif", "image/jpeg", "image/webp"}) {
      if (StartsWith(rest, type) && rest.size() > type.size() &&
          (rest[type.size()] == ';' || rest[type.size()] == ',')) {
        return true;
      }
    }
  }
  return false;
}

std::string FilterHtml(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    if (html[i] != '<') {
      const size_t next = html.find('<', i);
      const size_t end = next == std::string_view::npos ? html.size() : next;
      out.append(html.substr(i, end - i));
      i = end;
      continue;
    }
    const size_t after = FilterTag(html, i, out);
    if (after == 0) {
      out += "&lt;";
      ++i;
    } else {
      i = after;
    }
  }
  return out;
}

}  // namespace internal

Result<RenderedMarkdown> RenderMarkdown(std::string_view markdown) {
  if (markdown.size() > kMaxMarkdownBytes) {
    return InvalidArgument(
        "the Markdown text is longer than " + std::to_string(kMaxMarkdownBytes) + " bytes",
        "markdown_too_large");
  }
  if (!IsValidUtf8(markdown)) {
    return InvalidArgument("the Markdown text is not valid UTF-8", "invalid_utf8");
  }
  EnsureRegistered();
  // CMARK_OPT_DEFAULT is cmark-gfm's safe mode (raw HTML omitted, dangerous URLs blanked); the
  // AST pass below is stricter and removes rather than comments.
  const int options = CMARK_OPT_DEFAULT;
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(options));
  if (!parser) return Internal("cmark-gfm: no parser", "markdown_error");
  const bool tables = TablesAffordable(markdown);
  for (const char* name : kExtensions) {
    if (!tables && std::string_view(name) == "table") continue;
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (!ext || !cmark_parser_attach_syntax_extension(parser.get(), ext)) {
      return Internal(std::string("cmark-gfm: extension ") + name + " unavailable",
                      "markdown_error");
    }
  }
  std::unique_ptr<cmark_node, NodeDeleter> doc;
  {
    std::lock_guard<std::mutex> lock(ParseMutex());
    cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
    doc.reset(cmark_parser_finish(parser.get()));
  }
  if (!doc) return Internal("cmark-gfm: parse failed", "markdown_error");
  Sanitise(doc.get());
  RenderedMarkdown out;
  {
    std::unique_ptr<char, CharDeleter> html(
        cmark_render_html(doc.get(), options, cmark_parser_get_syntax_extensions(parser.get())));
    if (!html) return Internal("cmark-gfm: render failed", "markdown_error");
    out.html = internal::FilterHtml(ToValidUtf8(html.get()));
  }
  out.plain_text = ToValidUtf8(PlainText(doc.get()));
  return out;
}

}  // namespace herald::content
