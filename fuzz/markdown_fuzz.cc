// libFuzzer target: arbitrary bytes through content::RenderMarkdown, as an article body reaches
// it at publish (cmark-gfm with the table, strikethrough, autolink and tasklist extensions, the
// AST pass that drops raw HTML and unsafe links, the allowlist over the HTML), and through the
// allowlist (content::internal::FilterHtml) on its own. Invariants:
//  - valid UTF-8 within the size limit renders; anything else fails with invalid_utf8 or
//    markdown_too_large;
//  - html and plain_text are valid UTF-8;
//  - html has no "<script", no on* or style attribute, and no href or src that, read as a
//    browser reads it (references decoded, outer spaces and controls stripped, tab/CR/LF
//    removed, case folded), starts with "javascript:", "vbscript:", "file:" or a non-raster
//    "data:" ("javascript:" in text, a title or a URL's path or fragment is inert);
//  - the allowlist has nothing left to remove from the renderer's output;
//  - FilterHtml over arbitrary input meets the same tag invariants.
// cmark-gfm itself is Debian's uninstrumented build: coverage guides through Herald's code only.
// Seeds: fuzz/corpus/markdown.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "content/markdown.h"
#include "core/strings.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// Value of a character reference, as far as the scheme check needs: ASCII exactly, anything
// else as '?'. Unknown named references are left as written (the browser would keep them too
// unless they are HTML5 names, which the renderer never writes: it escapes '&' as &amp;).
std::string DecodeForCheck(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '&') {
      const size_t semi = v.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const std::string_view ent = v.substr(i + 1, semi - i - 1);
        unsigned long cp = 0;
        bool numeric = ent.size() >= 2 && ent[0] == '#';
        if (numeric) {
          const bool hex = ent[1] == 'x' || ent[1] == 'X';
          for (char c : ent.substr(hex ? 2 : 1)) {
            const int d = (c >= '0' && c <= '9')          ? c - '0'
                          : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                          : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                          : -1;
            if (d < 0 || cp > 0x10FFFF) {
              numeric = false;
              break;
            }
            cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
          }
        }
        if (numeric) {
          out += cp < 0x80 ? static_cast<char>(cp) : '?';
          i = semi;
          continue;
        }
        if (ent == "amp") out += '&';
        if (ent == "lt") out += '<';
        if (ent == "gt") out += '>';
        if (ent == "quot") out += '"';
        if (ent == "amp" || ent == "lt" || ent == "gt" || ent == "quot") {
          i = semi;
          continue;
        }
      }
    }
    out += v[i];
  }
  return out;
}

// Checks every tag of `html`: each '<' opens one (text has &lt;) and attribute values hold no
// '<' or '>', so a tag ends at the next '>'.
void CheckTags(const std::string& html) {
  const std::string lower = herald::ToLower(html);
  Check(!Contains(lower, "<script"));
  for (size_t p = lower.find('<'); p != std::string::npos; p = lower.find('<', p + 1)) {
    const size_t end = lower.find('>', p);
    Check(end != std::string::npos);
    const std::string_view tag(lower.data() + p, end - p);
    bool quoted = false;
    size_t word = 1, value = 0;
    for (size_t i = 1; i < tag.size(); ++i) {
      if (tag[i] == '"') {
        quoted = !quoted;
        if (quoted) {
          value = i + 1;
          continue;
        }
        const std::string_view name = tag.substr(word, value - 2 - word);
        if (name != "href" && name != "src") continue;
        // The browser's view: references decoded, leading and trailing controls and spaces
        // stripped, tab, CR and LF removed, then the scheme compared without case.
        const std::string decoded = DecodeForCheck(tag.substr(value, i - value));
        size_t b = 0, e = decoded.size();
        while (b < e && static_cast<unsigned char>(decoded[b]) <= 0x20) ++b;
        while (e > b && static_cast<unsigned char>(decoded[e - 1]) <= 0x20) --e;
        std::string url;
        for (size_t k = b; k < e; ++k) {
          if (decoded[k] != '\t' && decoded[k] != '\n' && decoded[k] != '\r') url += decoded[k];
        }
        url = herald::ToLower(url);
        Check(!herald::StartsWith(url, "javascript:") && !herald::StartsWith(url, "vbscript:"));
        Check(!herald::StartsWith(url, "file:"));
        Check(!herald::StartsWith(url, "data:") || herald::StartsWith(url, "data:image/png") ||
              herald::StartsWith(url, "data:image/gif") ||
              herald::StartsWith(url, "data:image/jpeg") ||
              herald::StartsWith(url, "data:image/webp"));
        continue;
      }
      if (quoted) continue;
      if (tag[i] == ' ') word = i + 1;
      if (tag[i - 1] == ' ' && tag[i] != ' ' && tag[i] != '/') {
        // An attribute, with or without a value.
        Check(!herald::StartsWith(tag.substr(i), "on") &&
              !herald::StartsWith(tag.substr(i), "style"));
      }
    }
    Check(!quoted);
    p = end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace content = herald::content;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto r = content::RenderMarkdown(input);
  if (!r.ok()) {
    Check(r.status().code() == herald::StatusCode::kInvalidArgument);
    if (size > content::kMaxMarkdownBytes) {
      Check(r.status().reason() == "markdown_too_large");
    } else {
      Check(r.status().reason() == "invalid_utf8" && !herald::IsValidUtf8(input));
    }
  } else {
    Check(size <= content::kMaxMarkdownBytes && herald::IsValidUtf8(input));
    Check(herald::IsValidUtf8(r->html));
    Check(herald::IsValidUtf8(r->plain_text));
    CheckTags(r->html);
    Check(content::internal::FilterHtml(r->html) == r->html);
  }

  // The allowlist alone, over whatever the input is.
  CheckTags(content::internal::FilterHtml(input));
  return 0;
}
