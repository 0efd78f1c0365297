#include "names/protected_names.h"

#include <gtest/gtest.h>

namespace herald::names {
namespace {

TEST(ProtectedNames, ParsesEntriesSkippingCommentsAndBlankLines) {
  auto r = ParseProtectedNames(
      "# protected names\n"
      "国务院\tgovernment\n"
      "\n"
      "   \n"
      "人民日报\tmedia\r\n"
      "CCTV\tmedia\t42\n"
      "中国银行\tenterprise \n"
      "北京大学\tinstitution\n"
      "张三丰\tpublic_figure");  // no final newline
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0].name, "国务院");
  EXPECT_EQ((*r)[0].kind, "government");
  EXPECT_FALSE((*r)[0].bound_subject_id.has_value());
  EXPECT_EQ((*r)[1].name, "人民日报");  // \r stripped
  EXPECT_EQ((*r)[1].kind, "media");
  EXPECT_EQ((*r)[2].name, "CCTV");
  ASSERT_TRUE((*r)[2].bound_subject_id.has_value());
  EXPECT_EQ(*(*r)[2].bound_subject_id, 42);
  EXPECT_EQ((*r)[3].kind, "enterprise");  // trailing space around the kind ignored
  EXPECT_EQ((*r)[4].kind, "institution");
  EXPECT_EQ((*r)[5].name, "张三丰");
  EXPECT_EQ((*r)[5].kind, "public_figure");
}

TEST(ProtectedNames, KeepsTheNameExactlyAsWritten) {
  auto r = ParseProtectedNames("ＣＣＴＶ 综合\tmedia\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "ＣＣＴＶ 综合");
}

TEST(ProtectedNames, EmptyFileIsAnEmptyList) {
  auto r = ParseProtectedNames("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  auto c = ParseProtectedNames("# only a comment\n\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->empty());
}

void ExpectLineError(std::string_view text, int line) {
  auto r = ParseProtectedNames(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().reason(), "invalid_protected_names");
  EXPECT_NE(r.status().message().find("line " + std::to_string(line)), std::string::npos)
      << r.status().message();
}

TEST(ProtectedNames, UnknownKindNamesTheLine) {
  ExpectLineError("国务院\tgovernment\n人民日报\tnewspaper\n", 2);
  ExpectLineError("国务院\tGovernment\n", 1);
}

TEST(ProtectedNames, MissingTabNamesTheLine) {
  ExpectLineError("# header\n国务院\tgovernment\n人民日报 media\n", 3);
}

TEST(ProtectedNames, InvalidUtf8NamesTheLine) {
  ExpectLineError("国务院\tgovernment\n\xE4\xBA\tmedia\n", 2);
  ExpectLineError("# comment \xFF\n", 1);
}

TEST(ProtectedNames, OtherMalformedLines) {
  ExpectLineError("\tmedia\n", 1);                  // empty name
  ExpectLineError("CCTV\tmedia\tabc\n", 1);         // subject id not a number
  ExpectLineError("CCTV\tmedia\t-3\n", 1);          // not positive
  ExpectLineError("CCTV\tmedia\t1\textra\n", 1);    // too many columns
  ExpectLineError("a\tmedia\nb\tmedia\nc\t\n", 3);  // empty kind
}

TEST(ProtectedNames, KindPredicate) {
  for (const char* k : {"government", "media", "enterprise", "institution", "public_figure"}) {
    EXPECT_TRUE(IsProtectedNameKind(k)) << k;
  }
  EXPECT_FALSE(IsProtectedNameKind("closed"));
  EXPECT_FALSE(IsProtectedNameKind(""));
}

}  // namespace
}  // namespace herald::names
