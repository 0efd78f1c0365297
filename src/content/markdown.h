// Markdown → sanitised HTML for article bodies (cmark-gfm, GitHub Flavored Markdown).
//
// RenderMarkdown parses CommonMark with the GFM extensions table, strikethrough, autolink and
// tasklist, and renders HTML that cannot run script:
//  - raw HTML (blocks and inline tags) is dropped without trace; the text between inline tags
//    stays as escaped text (`<b>x</b>` renders "x");
//  - a link or image whose URL, read as a browser reads it (leading/trailing spaces and control
//    characters stripped, tabs and newlines removed, scheme case-folded), has a scheme other
//    than http, https, mailto or tel is replaced by its text (an image by its alt text);
//    `data:` is kept only as data:image/png, gif, jpeg or webp (never SVG). Entity and
//    backslash tricks (`&#106;avascript:`, `javascript&colon;`) are decoded by the parser
//    before the check;
//  - the rendered HTML then passes an allowlist of tags and attributes (FilterHtml below),
//    so no path can emit `<script>`, `<style>`, `<iframe>`, `on*` attributes or style.
// Tables cost cmark-gfm 0.29 time quadratic in a row's pipes and pad short rows to the header's
// width; a document with a line of more than 128 '|' or more than 50,000 possible table cells
// ((most '|' on a line + 1) x lines) is rendered without the table extension (pipes stay text).
// Parsing is serialised process-wide (cmark-gfm 0.29's extensions share a global table); at the
// body limit of 50,000 characters the slowest inputs found take about 0.1 s.
// plain_text is the text without markup: text, code and alt text, one line per block, table
// cells separated by a space, no URLs (for search and fingerprints).
//
// Errors: InvalidArgument invalid_utf8 (the input is not well-formed UTF-8),
// InvalidArgument markdown_too_large (more than kMaxMarkdownBytes), Internal markdown_error
// (cmark-gfm failed, e.g. out of memory).
// Thread-safe: the extensions are registered once, each call owns its parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace herald::content {

// Bodies are at most 50,000 characters (ArticleService): at most 200,000 bytes of UTF-8.
inline constexpr size_t kMaxMarkdownBytes = 256 * 1024;

struct RenderedMarkdown {
  std::string html;        // sanitised HTML fragment, valid UTF-8
  std::string plain_text;  // the text without markup, valid UTF-8
};

Result<RenderedMarkdown> RenderMarkdown(std::string_view markdown);

namespace internal {

// True when a link (image = false) or image (image = true) may carry `url` (see above).
bool IsSafeUrl(std::string_view url, bool image);

// The allowlist pass over rendered HTML: keeps only the tags cmark-gfm emits for the supported
// syntax (p, h1-h6, blockquote, ul, ol, li, pre, code, em, strong, del, a, img, br, hr, table,
// thead, tbody, tr, th, td, input) with their known attributes (a: href, title; img: src, alt,
// title; ol: start; code: class="language-..."; th/td: align; input: type="checkbox", checked,
// disabled); href and src must pass IsSafeUrl. Other tags are dropped (their text stays),
// other attributes removed, and a '<' that does not open a well-formed tag is escaped. On
// RenderMarkdown's own output it changes nothing (the fuzz target checks this).
std::string FilterHtml(std::string_view html);

}  // namespace internal

}  // namespace herald::content
