#include "content/markdown.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"

namespace herald::content {
namespace {

RenderedMarkdown Render(std::string_view md) {
  auto r = RenderMarkdown(md);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : RenderedMarkdown{};
}

std::string Html(std::string_view md) { return Render(md).html; }

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// No tag, attribute or URL in `html` that can run script, whatever the case.
void ExpectInert(std::string_view md) {
  const std::string html = ToLower(Html(md));
  SCOPED_TRACE("input: " + std::string(md) + "\nhtml: " + html);
  EXPECT_FALSE(Contains(html, "<script"));
  EXPECT_FALSE(Contains(html, "<iframe"));
  EXPECT_FALSE(Contains(html, "<svg"));
  EXPECT_FALSE(Contains(html, "<style"));
  EXPECT_FALSE(Contains(html, "<object"));
  EXPECT_FALSE(Contains(html, "<embed"));
  // Every '<' in the output opens a tag the renderer wrote (text has &lt;): no on* or style
  // attribute in any of them.
  for (size_t p = html.find('<'); p != std::string::npos; p = html.find('<', p + 1)) {
    bool quoted = false;
    size_t word = p + 1;
    for (size_t i = p + 1; i < html.size() && (quoted || html[i] != '>'); ++i) {
      if (html[i] == '"') quoted = !quoted;
      if (quoted) continue;
      if (html[i] == ' ') word = i + 1;
      if (html[i] == '=') {
        const std::string name = html.substr(word, i - word);
        EXPECT_FALSE(StartsWith(name, "on")) << name;
        EXPECT_NE(name, "style");
      }
    }
  }
  EXPECT_FALSE(Contains(html, "href=\"javascript"));
  EXPECT_FALSE(Contains(html, "href=\"vbscript"));
  EXPECT_FALSE(Contains(html, "href=\"data"));
  EXPECT_FALSE(Contains(html, "src=\"javascript"));
  EXPECT_FALSE(Contains(html, "src=\"data:image/svg"));
  EXPECT_FALSE(Contains(html, "src=\"data:text"));
  EXPECT_FALSE(Contains(html, "href=\"file"));
  // What the browser would see: no attribute value whose scheme is unsafe.
  for (size_t p = html.find("=\""); p != std::string::npos; p = html.find("=\"", p + 1)) {
    const size_t q = html.find('"', p + 2);
    ASSERT_NE(q, std::string::npos);
    const std::string_view name(html.data() + html.rfind(' ', p) + 1, p - html.rfind(' ', p) - 1);
    if (name == "href" || name == "src") {
      EXPECT_TRUE(internal::IsSafeUrl(html.substr(p + 2, q - p - 2), name == "src")) << name;
    }
  }
  // The allowlist pass has nothing left to do on the renderer's output.
  EXPECT_EQ(internal::FilterHtml(Html(md)), Html(md));
}

TEST(Markdown, Headings) {
  EXPECT_EQ(Html("# 标题\n\n## Second\n\n###### Six"),
            "<h1>标题</h1>\n<h2>Second</h2>\n<h6>Six</h6>\n");
  EXPECT_EQ(Html("Setext\n======"), "<h1>Setext</h1>\n");
}

TEST(Markdown, Emphasis) {
  EXPECT_EQ(Html("*em* **strong** ~~gone~~ `code`"),
            "<p><em>em</em> <strong>strong</strong> <del>gone</del> <code>code</code></p>\n");
}

TEST(Markdown, Lists) {
  EXPECT_EQ(Html("- a\n- b\n"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
  EXPECT_EQ(Html("3. three\n4. four\n"),
            "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n");
  const std::string tasks = Html("- [x] done\n- [ ] todo\n");
  EXPECT_TRUE(Contains(tasks, "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> done"))
      << tasks;
  EXPECT_TRUE(Contains(tasks, "<input type=\"checkbox\" disabled=\"\" /> todo")) << tasks;
}

TEST(Markdown, Tables) {
  const std::string html = Html("| 名称 | 数量 |\n|:---|---:|\n| 苹果 | 3 |\n| 梨 | *5* |\n");
  EXPECT_EQ(html,
            "<table>\n<thead>\n<tr>\n<th align=\"left\">名称</th>\n<th "
            "align=\"right\">数量</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td "
            "align=\"left\">苹果</td>\n<td align=\"right\">3</td>\n</tr>\n<tr>\n<td "
            "align=\"left\">梨</td>\n<td align=\"right\"><em>5</em></td>\n</tr>\n</tbody>\n"
            "</table>\n");
}

TEST(Markdown, Code) {
  EXPECT_EQ(Html("```cpp\nint main() { return a < b; }\n```\n"),
            "<pre><code class=\"language-cpp\">int main() { return a &lt; b; }\n</code></pre>\n");
  EXPECT_EQ(Html("    indented <b>\n"), "<pre><code>indented &lt;b&gt;\n</code></pre>\n");
  // An info string cannot break out of the class attribute.
  ExpectInert("```\" onmouseover=\"alert(1)\nx\n```\n");
  EXPECT_EQ(Html("```\"x\nx\n```"), "<pre><code class=\"language-&quot;x\">x\n</code></pre>\n");
}

TEST(Markdown, Links) {
  EXPECT_EQ(Html("[Herald](https://example.cn/a?b=1&c=2 \"标题\")"),
            "<p><a href=\"https://example.cn/a?b=1&amp;c=2\" title=\"标题\">Herald</a></p>\n");
  EXPECT_EQ(Html("[rel](/api/v1/articles/1)"), "<p><a href=\"/api/v1/articles/1\">rel</a></p>\n");
  EXPECT_EQ(Html("<https://example.cn>"),
            "<p><a href=\"https://example.cn\">https://example.cn</a></p>\n");
  EXPECT_EQ(Html("<me@example.cn>"), "<p><a href=\"mailto:me@example.cn\">me@example.cn</a></p>\n");
  // GFM autolinks.
  EXPECT_EQ(Html("see www.example.cn now"),
            "<p>see <a href=\"http://www.example.cn\">www.example.cn</a> now</p>\n");
  EXPECT_EQ(Html("mail me@example.cn"),
            "<p>mail <a href=\"mailto:me@example.cn\">me@example.cn</a></p>\n");
  EXPECT_EQ(Html("![图](https://example.cn/a.png)"),
            "<p><img src=\"https://example.cn/a.png\" alt=\"图\" /></p>\n");
  EXPECT_EQ(Html("[x]: https://example.cn\n\n[ref][x]"),
            "<p><a href=\"https://example.cn\">ref</a></p>\n");
}

TEST(Markdown, RawHtmlIsDropped) {
  EXPECT_EQ(Html("<script>alert(1)</script>"), "");
  EXPECT_EQ(Html("a <b>bold</b> c"), "<p>a bold c</p>\n");
  EXPECT_EQ(Html("<div onclick=\"x()\">\nblock\n</div>\n\nafter"), "<p>after</p>\n");
  EXPECT_EQ(Html("x <img src=x onerror=alert(1)> y"), "<p>x  y</p>\n");
  EXPECT_EQ(Render("a <b>bold</b> c").plain_text, "a bold c");
  for (std::string_view md :
       {"<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "text <script>alert(1)</script> more", "<img src=x onerror=alert(1)>",
        "x <img src=x onerror=alert(1)//", "<svg/onload=alert(1)>",
        "<iframe src=javascript:alert(1)>",
        "<style>body{background:url(javascript:alert(1))}</style>", "<!-- <script> -->",
        "<a href=\"javascript:alert(1)\">x</a>", "<object data=\"x.swf\"></object>",
        "<embed src=x>", "<scr<script>ipt>alert(1)</script>", "<<script>script>alert(1)",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<details open ontoggle=alert(1)>", "`<script>`", "    <script>alert(1)</script>"}) {
    ExpectInert(md);
  }
  EXPECT_EQ(Html("`<script>`"), "<p><code>&lt;script&gt;</code></p>\n");
}

TEST(Markdown, UnsafeLinksBecomeText) {
  EXPECT_EQ(Html("[click](javascript:alert(1))"), "<p>click</p>\n");
  EXPECT_EQ(Html("[click](JaVaScRiPt:alert(1))"), "<p>click</p>\n");
  EXPECT_EQ(Html("[click](vbscript:msgbox)"), "<p>click</p>\n");
  EXPECT_EQ(Html("[click](file:///etc/passwd)"), "<p>click</p>\n");
  EXPECT_EQ(Html("[**bold** click](javascript:alert(1))"), "<p><strong>bold</strong> click</p>\n");
  for (std::string_view md : {
           "[a](javascript:alert(1))",
           "[a](&#106;avascript:alert(1))",
           "[a](&#x6A;&#x61;vascript:alert(1))",
           "[a](javascript&colon;alert(1))",
           "[a](javascript&#58;alert(1))",
           "[a](java&#x09;script:alert(1))",
           "[a](java&#10;script:alert(1))",
           "[a](&#x20;javascript:alert(1))",
           "[a](&#0;javascript:alert(1))",
           "[a](<java script:alert(1)>)",
           "[a](<javascript:alert(1)>)",
           "[a](\\javascript:alert(1))",
           "[a](javascript\\:alert(1))",
           "[a](%6Aavascript:alert(1))",
           "<javascript:alert(1)>",
           "<JAVASCRIPT:alert(1)>",
           "<vbscript:msgbox(1)>",
           "[a][x]\n\n[x]: javascript:alert(1)",
           "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
           "[a](data:text/html,<script>alert(1)</script>)",
           "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
           "![a](javascript:alert(1))",
           "![a](vbscript:alert(1))",
           "[![img](https://example.cn/a.png)](javascript:alert(1))",
           "![x](https://example.cn/a.png \"\\\" onerror=\\\"alert(1)\")",
           "[x](https://example.cn \"\\\" onmouseover=\\\"alert(1)\")",
           "[x](https://example.cn/\"onmouseover=\"alert(1))",
           "www.example.cn/\"onmouseover=\"alert(1)",
           "https://example.cn/<script>",
           "a javascript:alert(1) b",
       }) {
    ExpectInert(md);
  }
  EXPECT_EQ(Html("[a](&#106;avascript:alert(1))"), "<p>a</p>\n");
  EXPECT_EQ(Html("[a](javascript&colon;alert(1))"), "<p>a</p>\n");  // HTML5 &colon; is decoded
  EXPECT_EQ(Html("![alt 文本](javascript:alert(1))"), "<p>alt 文本</p>\n");
  // Nested unsafe links and images: each is replaced by its content, innermost first.
  EXPECT_EQ(Html("[![a](javascript:x) b](javascript:y)"), "<p>a b</p>\n");
  EXPECT_EQ(Html("![[a](javascript:x) <b>b</b>](javascript:y)"), "<p>a b</p>\n");
  EXPECT_EQ(Html("[![a](javascript:x)](https://example.cn)"),
            "<p><a href=\"https://example.cn\">a</a></p>\n");
}

TEST(Markdown, DataImagesOnlyRaster) {
  EXPECT_EQ(Html("![p](data:image/png;base64,iVBORw0KGgo=)"),
            "<p><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"p\" /></p>\n");
  EXPECT_EQ(Html("![p](data:image/svg+xml,x)"), "<p>p</p>\n");
  EXPECT_EQ(Html("![p](data:image/pngx;base64,AA)"), "<p>p</p>\n");
  for (std::string_view ok : {"data:image/png;base64,AA", "data:image/gif,x",
                              "DATA:IMAGE/JPEG;base64,AA", "data:image/webp;base64,AA"}) {
    EXPECT_TRUE(internal::IsSafeUrl(ok, true)) << ok;
  }
}

TEST(Markdown, IsSafeUrl) {
  for (std::string_view ok : {"", "https://example.cn", "HTTP://x", "/a/b", "a/b:c", "#frag",
                              "?q=javascript:x", "./javascript:x", "//example.cn/x"}) {
    EXPECT_TRUE(internal::IsSafeUrl(ok, false)) << ok;
  }
  for (std::string_view bad :
       {"javascript:x", " javascript:x", "\x01javascript:x", "java\tscript:x", "java\nscript:x",
        "java\rscript:x", "JAVASCRIPT:x", "vbscript:x", "file:///x", "data:text/html,x",
        "data:image/svg+xml,x", "livescript:x", "jar:x", "blob:https://x", "ms-help:x",
        "javascript\t:x"}) {
    EXPECT_FALSE(internal::IsSafeUrl(bad, false)) << bad;
  }
  EXPECT_TRUE(internal::IsSafeUrl("mailto:a@b.cn", false));
  EXPECT_FALSE(internal::IsSafeUrl("mailto:a@b.cn", true));
}

TEST(Markdown, FilterHtml) {
  using internal::FilterHtml;
  EXPECT_EQ(FilterHtml("<p>x</p>"), "<p>x</p>");
  EXPECT_EQ(FilterHtml("<script>alert(1)</script>"), "alert(1)");
  EXPECT_EQ(FilterHtml("<img src=\"x\" onerror=\"alert(1)\" />"), "<img src=\"x\" />");
  EXPECT_EQ(FilterHtml("<a href=\"javascript:alert(1)\" title=\"t\">x</a>"),
            "<a title=\"t\">x</a>");
  EXPECT_EQ(FilterHtml("<a href=\"java&#x09;script:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(FilterHtml("<a href=\"javascript&colon;alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(FilterHtml("<a href=\"&#106;avascript:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(FilterHtml("<P STYLE=\"x\">y</P>"), "<p>y</p>");
  EXPECT_EQ(FilterHtml("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)>");
  EXPECT_EQ(FilterHtml("a < b <"), "a &lt; b &lt;");
  EXPECT_EQ(FilterHtml("<!-- x -->"), "&lt;!-- x -->");
  EXPECT_EQ(FilterHtml("<code class=\"x\">"), "<code>");
  EXPECT_EQ(FilterHtml("<td align=\"justify\">"), "<td>");
  EXPECT_EQ(FilterHtml("<input type=\"text\" />"), "<input />");
  EXPECT_EQ(FilterHtml("</p onclick=\"x\">"), "&lt;/p onclick=\"x\">");
}

TEST(Markdown, PlainText) {
  const auto r = Render(
      "# 标题\n\n正文 *强调* 和 [链接](https://example.cn) 以及 `code`。\n"
      "第二行\n\n- 一\n- 二\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
      "```\nint x;\n```\n\n![图片说明](https://example.cn/a.png)\n\n<div>raw</div>\n");
  EXPECT_EQ(r.plain_text,
            "标题\n正文 强调 和 链接 以及 code。\n第二行\n一\n二\na b\n1 2\nint x;\n图片说明");
  EXPECT_EQ(Render("").plain_text, "");
  EXPECT_EQ(Render("").html, "");
}

TEST(Markdown, Errors) {
  auto bad = RenderMarkdown("abc \xff\xfe");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().reason(), "invalid_utf8");
  EXPECT_EQ(RenderMarkdown("\xed\xa0\x80").status().reason(), "invalid_utf8");  // a surrogate
  auto big = RenderMarkdown(std::string(kMaxMarkdownBytes + 1, 'a'));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().reason(), "markdown_too_large");
  EXPECT_TRUE(RenderMarkdown(std::string(kMaxMarkdownBytes, 'a')).ok());
  // A NUL byte is valid UTF-8; CommonMark replaces it with U+FFFD.
  auto nul = RenderMarkdown(std::string("a\0b", 3));
  ASSERT_TRUE(nul.ok());
  EXPECT_EQ(nul->html,
            "<p>a\xef\xbf\xbd"
            "b</p>\n");
}

TEST(Markdown, OutputIsValidUtf8) {
  // cmark-gfm writes &#xFFFE; and &#xFFFF; as bare bytes FE and FF; they become U+FFFD.
  EXPECT_EQ(Html("a&#xFFFF;b&#xFFFE;"),
            "<p>a\xef\xbf\xbd"
            "b\xef\xbf\xbd</p>\n");
  for (std::string_view md : {"&#xD800; &#0; &#x110000; &#xFFFF;", "[a](&#xD800;)", "中文 ~~删~~",
                              "![&#xFFFF;](x.png)", "`&#xFFFE;`", "[&#xFFFF;](x)"}) {
    const auto r = Render(md);
    EXPECT_TRUE(IsValidUtf8(r.html)) << md;
    EXPECT_TRUE(IsValidUtf8(r.plain_text)) << md;
  }
}

TEST(Markdown, ConcurrentCallsAgree) {
  const std::string md = "| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\nwww.example.cn\n\n- [x] t\n";
  const std::string want = Html(md);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto r = RenderMarkdown(md);
        if (!r.ok() || r->html != want) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace herald::content
