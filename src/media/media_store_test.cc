#include "media/media_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "media/image.h"
#include "media/testing_images.h"

namespace herald::media {
namespace {

namespace fs = std::filesystem;
namespace ti = testing_images;

class MediaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "herald_media_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  MediaStore OpenStore() {
    Result<MediaStore> store = MediaStore::Open((dir_ / "media").string());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }

  // Every regular file under the store's root, relative to it.
  std::set<std::string> Files() const {
    std::set<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "media")) {
      if (entry.is_regular_file()) out.insert(fs::relative(entry.path(), dir_ / "media").string());
    }
    return out;
  }

  fs::path dir_;
};

struct Upload {
  std::string bytes;
  ImageInfo info;
};

Upload Inspected(std::string bytes) {
  Result<ImageInfo> info = InspectImage(bytes, {});
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return {std::move(bytes), info.ok() ? *info : ImageInfo{}};
}

TEST_F(MediaStoreTest, StoresUnderTheHashAndReadsBack) {
  MediaStore store = OpenStore();
  const Upload png = Inspected(ti::EncodePng(ti::MakePicture(20, 10, 1)));
  Result<StoredMedia> stored = store.Put(png.bytes, png.info);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  const std::string id = crypto::Sha256Hex(png.bytes);
  EXPECT_EQ(stored->id, id);
  EXPECT_EQ(stored->mime, "image/png");
  EXPECT_EQ(stored->extension, "png");
  EXPECT_EQ(stored->size, png.bytes.size());
  EXPECT_TRUE(stored->created);
  const fs::path expected = dir_ / "media" / id.substr(0, 2) / (id + ".png");
  EXPECT_EQ(stored->path, expected.string());
  EXPECT_EQ(Files(), (std::set<std::string>{id.substr(0, 2) + "/" + id + ".png"}));

  Result<std::string> bytes = store.Read(id);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, png.bytes);
  Result<std::string> path = store.PathOf(id);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, expected.string());
  std::ifstream in(*path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), png.bytes);
}

TEST_F(MediaStoreTest, EveryTypeKeepsItsExtension) {
  MediaStore store = OpenStore();
  const ti::Picture p = ti::MakePicture(16, 16, 2);
  const std::pair<std::string, std::string> cases[] = {{ti::EncodePng(p), "png"},
                                                       {ti::EncodeJpeg(p), "jpg"},
                                                       {ti::EncodeWebp(p), "webp"},
                                                       {ti::EncodeGif(p), "gif"}};
  std::set<std::string> ids;
  for (const auto& [bytes, extension] : cases) {
    const Upload u = Inspected(bytes);
    Result<StoredMedia> stored = store.Put(u.bytes, u.info);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    EXPECT_EQ(stored->extension, extension);
    EXPECT_TRUE(stored->path.ends_with("." + extension));
    ids.insert(stored->id);
    EXPECT_EQ(*store.Read(stored->id), bytes);
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(Files().size(), 4u);
}

TEST_F(MediaStoreTest, PutIsIdempotent) {
  MediaStore store = OpenStore();
  const Upload jpeg = Inspected(ti::EncodeJpeg(ti::MakePicture(30, 30, 3)));
  Result<StoredMedia> first = store.Put(jpeg.bytes, jpeg.info);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  struct stat before;
  ASSERT_EQ(::stat(first->path.c_str(), &before), 0);

  Result<StoredMedia> second = store.Put(jpeg.bytes, jpeg.info);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->path, first->path);
  struct stat after;
  ASSERT_EQ(::stat(first->path.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // not rewritten
  EXPECT_EQ(Files().size(), 1u);           // and no temporary files left behind
}

TEST_F(MediaStoreTest, ConcurrentPutsOfOneImageLeaveOneFile) {
  MediaStore store = OpenStore();
  const Upload gif = Inspected(ti::EncodeGif(ti::MakePicture(40, 40, 4)));
  std::vector<std::thread> threads;
  std::vector<Status> results(8);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = store.Put(gif.bytes, gif.info).status(); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Files().size(), 1u);
  EXPECT_EQ(*store.Read(crypto::Sha256Hex(gif.bytes)), gif.bytes);
}

TEST_F(MediaStoreTest, AReopenedStoreFindsEarlierFiles) {
  const Upload webp = Inspected(ti::EncodeWebp(ti::MakePicture(12, 12, 5)));
  std::string id;
  {
    MediaStore store = OpenStore();
    id = store.Put(webp.bytes, webp.info)->id;
  }
  MediaStore again = OpenStore();
  EXPECT_EQ(*again.Read(id), webp.bytes);
}

TEST_F(MediaStoreTest, UnknownIdsAreNotFound) {
  MediaStore store = OpenStore();
  const std::string id = crypto::Sha256Hex("never stored");
  EXPECT_EQ(store.Read(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Read(id).status().reason(), "media_not_found");
  EXPECT_EQ(store.PathOf(id).status().reason(), "media_not_found");
}

TEST_F(MediaStoreTest, MalformedIdsAreRefusedBeforeTheFileSystem) {
  MediaStore store = OpenStore();
  // A file outside the root that a traversal would reach.
  std::ofstream(dir_ / "secret.png") << "secret";
  const std::string good = crypto::Sha256Hex("x");
  std::string upper = good;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string bad_ids[] = {
      "",
      "abc",
      good.substr(0, 63),
      good + "0",
      upper,
      good.substr(0, 62) + "g0",
      "../secret",
      "../../" + good.substr(0, 58),
      good.substr(0, 2) + "/" + good.substr(0, 61),
      std::string(64, '.'),
      good.substr(0, 63) + '\0',
      good.substr(0, 60) + ".png",
  };
  for (const std::string& id : bad_ids) {
    for (const Status& s : {store.Read(id).status(), store.PathOf(id).status()}) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << id;
      EXPECT_EQ(s.reason(), "invalid_media_id") << id;
      EXPECT_EQ(s.field(), "id");
    }
    EXPECT_FALSE(MediaStore::IsValidId(id));
  }
  EXPECT_TRUE(MediaStore::IsValidId(good));
}

TEST_F(MediaStoreTest, PutRefusesTypesItDoesNotKnow) {
  MediaStore store = OpenStore();
  Upload png = Inspected(ti::EncodePng(ti::MakePicture(8, 8, 6)));
  const std::pair<std::string, std::string> bad[] = {{"image/png", "../../x"},
                                                     {"image/png", "exe"},
                                                     {"image/png", ""},
                                                     {"image/jpeg", "png"},
                                                     {"image/svg+xml", "svg"}};
  for (const auto& [mime, extension] : bad) {
    ImageInfo info = png.info;
    info.mime = mime;
    info.extension = extension;
    Result<StoredMedia> stored = store.Put(png.bytes, info);
    EXPECT_EQ(stored.status().code(), StatusCode::kInvalidArgument) << extension;
    EXPECT_EQ(stored.status().reason(), "unsupported_media_type");
  }
  EXPECT_TRUE(Files().empty());
}

TEST_F(MediaStoreTest, OpenCreatesTheRootOrFails) {
  const fs::path nested = dir_ / "a" / "b" / "media";
  Result<MediaStore> store = MediaStore::Open(nested.string() + "/");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_EQ(store->root(), nested.string());

  std::ofstream(dir_ / "plain_file") << "x";
  Result<MediaStore> on_file = MediaStore::Open((dir_ / "plain_file").string());
  EXPECT_EQ(on_file.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(on_file.status().reason(), "media_root_unusable");
  EXPECT_EQ(MediaStore::Open("").status().reason(), "media_root_unusable");
}

TEST_F(MediaStoreTest, WriteFailuresAreReported) {
  MediaStore store = OpenStore();
  const Upload png = Inspected(ti::EncodePng(ti::MakePicture(8, 8, 7)));
  // A plain file where the image's shard directory should be: nothing can be written there.
  const std::string id = crypto::Sha256Hex(png.bytes);
  std::ofstream(dir_ / "media" / id.substr(0, 2)) << "in the way";
  Result<StoredMedia> stored = store.Put(png.bytes, png.info);
  EXPECT_EQ(stored.status().code(), StatusCode::kInternal);
  EXPECT_EQ(stored.status().reason(), "media_io_error");
  EXPECT_EQ(store.Read(id).status().reason(), "media_not_found");
}

}  // namespace
}  // namespace herald::media
