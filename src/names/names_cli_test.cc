#include "names/names_cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace herald::names {
namespace {

class NamesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herald-names-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::vector<std::string> Lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  std::string dir_;
};

TEST_F(NamesCliTest, OneJsonLinePerInputLineInOrder) {
  std::string file =
      WriteFile("p.tsv", "# sample\n国务院\tgovernment\n人民日报\tmedia\nＣＣＴＶ\tmedia\n");
  std::istringstream in("國務院客服\r\n美食日记\n人民日报读者俱乐部\n\xE4\xBA\xBA\xFF\n\ncctv官方");
  std::ostringstream out, err;
  EXPECT_EQ(RunNamesCheck(file, in, out, err), 0);
  EXPECT_EQ(err.str(), "");
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 6u) << out.str();
  EXPECT_EQ(lines[0].rfind("{\"name\":\"國務院客服\",\"decision\":\"reject\",", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("\"matches\":[{\"protected\":\"国务院\",\"score\":1,"), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("{\"name\":\"美食日记\",\"decision\":\"allow\",", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("\"matches\":[]"), std::string::npos);
  EXPECT_NE(lines[2].find("\"decision\":\"review\""), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("\"protected\":\"人民日报\""), std::string::npos) << lines[2];
  // Invalid UTF-8: the bad byte becomes U+FFFD and an error is reported instead of a decision.
  EXPECT_EQ(lines[3], "{\"name\":\"人\xEF\xBF\xBD\",\"error\":\"invalid_utf8\"}");
  EXPECT_EQ(lines[4].rfind("{\"name\":\"\",\"decision\":\"allow\"", 0), 0u) << lines[4];
  // The protected name is reported exactly as spelled in the file (full-width here).
  EXPECT_NE(lines[5].find("\"protected\":\"ＣＣＴＶ\""), std::string::npos) << lines[5];
  EXPECT_NE(lines[5].find("\"decision\":\"reject\""), std::string::npos) << lines[5];
}

TEST_F(NamesCliTest, MissingFileExitsTwo) {
  std::istringstream in("国务院\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunNamesCheck(dir_ + "/missing.tsv", in, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("missing.tsv"), std::string::npos);
  EXPECT_EQ(RunNamesCheck(dir_, in, out, err), 2);  // a directory
}

TEST_F(NamesCliTest, BadFileExitsTwoNamingTheLine) {
  std::string file = WriteFile("bad.tsv", "国务院\tgovernment\n人民日报\tnewspaper\n");
  std::istringstream in("国务院\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunNamesCheck(file, in, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("line 2"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("invalid_protected_names"), std::string::npos) << err.str();
}

TEST_F(NamesCliTest, NameThatNormalisesToNothingIsABadFile) {
  std::string file = WriteFile("bad.tsv", "***\tmedia\n");
  std::istringstream in("x\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunNamesCheck(file, in, out, err), 2);
  EXPECT_NE(err.str().find("invalid_protected_names"), std::string::npos) << err.str();
}

TEST_F(NamesCliTest, JsonSpecialCharactersAreEscaped) {
  std::string file = WriteFile("p.tsv", "新华社\tmedia\n");
  std::istringstream in("say \"hi\" \\ \t新华社\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunNamesCheck(file, in, out, err), 0);
  EXPECT_EQ(out.str().rfind("{\"name\":\"say \\\"hi\\\" \\\\ \\t新华社\",", 0), 0u) << out.str();
}

}  // namespace
}  // namespace herald::names
