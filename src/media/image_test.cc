#include "media/image.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "media/testing_images.h"

namespace herald::media {
namespace {

namespace ti = testing_images;

// The reason InspectImage refuses `bytes` with, or "ok"; checks the shape of every error.
std::string Reason(std::string_view bytes, const ImageLimits& limits = {}) {
  Result<ImageInfo> info = InspectImage(bytes, limits);
  if (info.ok()) return "ok";
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument) << info.status().ToString();
  EXPECT_EQ(info.status().field(), "file");
  EXPECT_FALSE(info.status().message().empty());
  return info.status().reason();
}

struct Encoded {
  std::string name, mime, extension, bytes;
};

std::vector<Encoded> EveryEncoding(const ti::Picture& p) {
  return {
      {"png", "image/png", "png", ti::EncodePng(p)},
      {"png-interlaced", "image/png", "png", ti::EncodePng(p, /*interlaced=*/true)},
      {"jpeg", "image/jpeg", "jpg", ti::EncodeJpeg(p)},
      {"jpeg-progressive", "image/jpeg", "jpg", ti::EncodeJpeg(p, {.progressive = true})},
      {"jpeg-cmyk", "image/jpeg", "jpg", ti::EncodeJpeg(p, {.cmyk = true})},
      {"webp-lossy", "image/webp", "webp", ti::EncodeWebp(p)},
      {"webp-lossless", "image/webp", "webp", ti::EncodeWebp(p, 80, /*lossless=*/true)},
      {"gif", "image/gif", "gif", ti::EncodeGif(p)},
  };
}

uint64_t HashOf(std::string_view bytes) {
  Result<ImageInfo> info = InspectImage(bytes, {});
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? info->dhash : 0;
}

// ---- Recognition ----

TEST(InspectImageTest, RecognisesEachTypeWithItsDimensions) {
  const std::pair<uint32_t, uint32_t> sizes[] = {{1, 1}, {7, 5}, {64, 48}, {33, 97}, {300, 200}};
  for (auto [w, h] : sizes) {
    for (const Encoded& e : EveryEncoding(ti::MakePicture(w, h, w * 31 + h))) {
      SCOPED_TRACE(e.name + " " + std::to_string(w) + "x" + std::to_string(h));
      ASSERT_FALSE(e.bytes.empty());
      Result<ImageInfo> info = InspectImage(e.bytes, {});
      ASSERT_TRUE(info.ok()) << info.status().ToString();
      EXPECT_EQ(info->mime, e.mime);
      EXPECT_EQ(info->extension, e.extension);
      EXPECT_EQ(info->width, w);
      EXPECT_EQ(info->height, h);
    }
  }
}

TEST(InspectImageTest, TranslucentImagesAreAccepted) {
  const ti::Picture p = ti::MakePicture(40, 30, 3, /*translucent=*/true);
  for (const std::string& bytes : {ti::EncodePng(p), ti::EncodePng(p, true),
                                   ti::EncodeWebp(p, 90, true), ti::EncodeWebp(p, 90)}) {
    EXPECT_EQ(Reason(bytes), "ok");
  }
}

TEST(InspectImageTest, OtherTypesAreUnsupported) {
  using namespace std::string_literals;
  const std::string samples[] = {
      ""s,
      "G"s,
      "GIF"s,
      "GIF88a\x10\x00\x10\x00\x00\x00\x00;"s,
      "\xFF\xD8"s,
      "\x89PNG\r\n"s,
      "BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"s,
      "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"s,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"s,
      "RIFF\x24\x00\x00\x00WAVEfmt "s,
      "\x00\x00\x00\x18"
      "ftypavif"s,
      "hello, world"s,
  };
  for (const std::string& s : samples) EXPECT_EQ(Reason(s), "unsupported_media_type") << s;

  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    std::string bytes(1 + rng() % 4096, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    // A random prefix may, very rarely, be a magic number; skip those.
    if (static_cast<unsigned char>(bytes[0]) == 0xFF || bytes[0] == '\x89' || bytes[0] == 'R' ||
        bytes[0] == 'G') {
      continue;
    }
    EXPECT_EQ(Reason(bytes), "unsupported_media_type");
  }
}

TEST(InspectImageTest, TheTypeComesFromTheBytes) {
  // The right magic followed by something else is a corrupt file of that type, not another type.
  const ti::Picture p = ti::MakePicture(16, 16, 1);
  const std::string png = ti::EncodePng(p), jpeg = ti::EncodeJpeg(p), gif = ti::EncodeGif(p);
  EXPECT_EQ(Reason(png.substr(0, 8) + jpeg), "image_corrupt");
  EXPECT_EQ(Reason(jpeg.substr(0, 3) + std::string(200, '\0')), "image_corrupt");
  EXPECT_EQ(Reason(gif.substr(0, 6) + "\x01"), "image_corrupt");
  EXPECT_EQ(Reason(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16) + png), "image_corrupt");
}

TEST(InspectImageTest, AnimatedWebpIsUnsupported) {
  // RIFF, a VP8X chunk with the animation flag and a 16x16 canvas, an ANIM chunk.
  std::string webp("RIFF\x00\x00\x00\x00WEBP", 12);
  webp += std::string("VP8X\x0A\x00\x00\x00", 8);
  webp += std::string("\x02\x00\x00\x00", 4);          // flags: animation
  webp += std::string("\x0F\x00\x00\x0F\x00\x00", 6);  // canvas 16 x 16 (minus one, 24-bit)
  webp += std::string("ANIM\x06\x00\x00\x00\xFF\xFF\xFF\xFF\x00\x00", 14);
  const uint32_t riff_size = static_cast<uint32_t>(webp.size() - 8);
  for (int i = 0; i < 4; ++i) webp[4 + i] = static_cast<char>((riff_size >> (8 * i)) & 0xFF);
  EXPECT_EQ(Reason(webp), "unsupported_media_type");
}

// ---- Size and dimension limits ----

TEST(InspectImageTest, OversizeBytesAreRefusedBeforeAnythingElse) {
  const std::string png = ti::EncodePng(ti::MakePicture(64, 64, 9));
  ImageLimits limits;
  limits.max_bytes = png.size();
  EXPECT_EQ(Reason(png, limits), "ok");
  limits.max_bytes = png.size() - 1;
  EXPECT_EQ(Reason(png, limits), "image_too_large");
  // Refused before sniffing: garbage over the limit is "too large", not "unsupported".
  EXPECT_EQ(Reason(std::string((5 << 20) + 1, 'x')), "image_too_large");
  EXPECT_EQ(Reason(std::string(5 << 20, 'x')), "unsupported_media_type");
}

TEST(InspectImageTest, HugeClaimedDimensionsAreRefusedBeforeDecoding) {
  // No pixel data at all: had a decoder been started, the answer would be image_corrupt (and
  // 100000 x 100000 RGBA would have asked for 40 GB).
  EXPECT_EQ(Reason(ti::PngClaimingSize(100000, 100000)), "image_dimensions");
  EXPECT_EQ(Reason(ti::PngClaimingSize(0x7FFFFFFF, 0x7FFFFFFF)), "image_dimensions");
  EXPECT_EQ(Reason(ti::PngClaimingSize(8193, 1)), "image_dimensions");
  EXPECT_EQ(Reason(ti::PngClaimingSize(1, 8193)), "image_dimensions");
  EXPECT_EQ(Reason(ti::PngClaimingSize(8000, 5001)), "image_dimensions");  // 40,008,000 pixels
  // Within the limits the header passes and the decoder finds the data missing.
  EXPECT_EQ(Reason(ti::PngClaimingSize(8000, 5000)), "image_corrupt");
  EXPECT_EQ(Reason(ti::PngClaimingSize(16, 16)), "image_corrupt");
  EXPECT_EQ(Reason(ti::PngClaimingSize(0, 16)), "image_corrupt");
  EXPECT_EQ(Reason(ti::PngClaimingSize(16, 0)), "image_corrupt");
}

TEST(InspectImageTest, PatchedHeadersClaimingHugeSizesAreRefused) {
  const ti::Picture p = ti::MakePicture(32, 32, 5);
  // JPEG: the SOF0 segment is FF C0, length (2), precision (1), height (2), width (2).
  std::string jpeg = ti::EncodeJpeg(p);
  size_t sof = jpeg.find(std::string("\xFF\xC0", 2));
  ASSERT_NE(sof, std::string::npos);
  jpeg.replace(sof + 5, 4, std::string("\xFF\xFF\xFF\xFF", 4));  // 65535 x 65535
  EXPECT_EQ(Reason(jpeg), "image_dimensions");
  // GIF: logical screen width and height at bytes 6-9.
  std::string gif = ti::EncodeGif(p);
  gif.replace(6, 4, std::string("\xFF\xFF\xFF\xFF", 4));
  EXPECT_EQ(Reason(gif), "image_dimensions");
}

TEST(InspectImageTest, DimensionLimitsApplyToEveryType) {
  for (const Encoded& e : EveryEncoding(ti::MakePicture(64, 48, 11))) {
    SCOPED_TRACE(e.name);
    ImageLimits exact;
    exact.max_width = 64;
    exact.max_height = 48;
    exact.max_pixels = uint64_t{64} * 48;
    EXPECT_EQ(Reason(e.bytes, exact), "ok");
    ImageLimits narrow = exact;
    narrow.max_width = 63;
    EXPECT_EQ(Reason(e.bytes, narrow), "image_dimensions");
    ImageLimits low = exact;
    low.max_height = 47;
    EXPECT_EQ(Reason(e.bytes, low), "image_dimensions");
    ImageLimits few = exact;
    few.max_pixels = uint64_t{64} * 48 - 1;
    EXPECT_EQ(Reason(e.bytes, few), "image_dimensions");
  }
}

// ---- Corrupt files ----

TEST(InspectImageTest, TruncatedFilesAreCorrupt) {
  for (const Encoded& e : EveryEncoding(ti::MakePicture(64, 48, 13))) {
    SCOPED_TRACE(e.name);
    const size_t n = e.bytes.size();
    for (size_t cut : {size_t{14}, n / 4, n / 2, n * 3 / 4, n - 2, n - 1}) {
      EXPECT_EQ(Reason(e.bytes.substr(0, cut)), "image_corrupt") << "cut at " << cut << "/" << n;
    }
  }
}

TEST(InspectImageTest, JpegsWithTooManyScansAreRefused) {
  const ti::Picture p = ti::MakePicture(16, 16, 21);
  // 3 components x 64 coefficients x 5 steps = 960 scans: allowed, and decoded.
  const std::string many = ti::EncodeJpeg(p, {.split_scans = 5});
  ASSERT_FALSE(many.empty());
  EXPECT_EQ(Reason(many), "ok");
  // x 6 steps = 1152 scans: over the limit of 1000.
  const std::string too_many = ti::EncodeJpeg(p, {.split_scans = 6});
  ASSERT_FALSE(too_many.empty());
  EXPECT_EQ(Reason(too_many), "image_corrupt");
}

TEST(InspectImageTest, DamagedPngDataIsCorrupt) {
  // Every PNG chunk carries a CRC: any flipped byte after the signature is caught.
  const std::string png = ti::EncodePng(ti::MakePicture(32, 32, 17));
  for (size_t pos = 8; pos < png.size(); pos += 7) {
    std::string bad = png;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x20);
    const std::string reason = Reason(bad);
    // A flipped bit in the header's width or height may first make the image too large.
    EXPECT_TRUE(reason == "image_corrupt" || reason == "image_dimensions")
        << "byte " << pos << ": " << reason;
  }
}

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

TEST(InspectImageTest, PngWithDataHiddenInsideTheImageDataIsCorrupt) {
  // Bytes after the end of the zlib stream, inside a well-formed IDAT chunk with a correct CRC:
  // libpng would only warn ("extra compressed data"); a hiding place for a payload.
  const std::string png = ti::EncodePng(ti::MakePicture(16, 16, 3));
  const size_t type = png.find("IDAT");
  ASSERT_NE(type, std::string::npos);
  uint32_t length = 0;
  for (size_t i = type - 4; i < type; ++i) length = (length << 8) | static_cast<uint8_t>(png[i]);
  auto put_be32 = [](std::string* out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
  };
  // The file with `extra` appended to the IDAT chunk's data, length and CRC rewritten.
  auto with_extra = [&](std::string_view extra) {
    const std::string body = png.substr(type, 4 + length) + std::string(extra);
    std::string out = png.substr(0, type - 4);
    put_be32(&out, static_cast<uint32_t>(body.size() - 4));
    out += body;
    put_be32(&out, Crc32(body));
    return out + png.substr(type + 4 + length + 4);
  };
  ASSERT_EQ(with_extra(""), png);
  EXPECT_EQ(Reason(with_extra("hidden payload!!")), "image_corrupt");
}

TEST(InspectImageTest, GifWithoutTrailerOrImageIsCorrupt) {
  const std::string gif = ti::EncodeGif(ti::MakePicture(8, 8, 2));
  ASSERT_EQ(gif.back(), ';');
  EXPECT_EQ(Reason(gif.substr(0, gif.size() - 1)), "image_corrupt");
  // Header, screen descriptor and colour table followed directly by the trailer: no image.
  EXPECT_EQ(Reason(gif.substr(0, 13 + 768) + ";"), "image_corrupt");
  std::string unknown_block = gif;
  unknown_block[13 + 768] = '\x7F';
  EXPECT_EQ(Reason(unknown_block), "image_corrupt");
}

TEST(InspectImageTest, MutatedFilesNeverCrash) {
  // Random damage to every type: the answer is "ok" (damage a format cannot detect, such as
  // changed JPEG coefficients) or one of the documented reasons, never a crash or a leak
  // (run under ASan in scripts/test.sh).
  const std::set<std::string> allowed = {"ok", "image_corrupt", "image_dimensions",
                                         "unsupported_media_type"};
  std::mt19937 rng(7);
  for (const Encoded& e : EveryEncoding(ti::MakePicture(24, 20, 19))) {
    SCOPED_TRACE(e.name);
    for (int round = 0; round < 150; ++round) {
      std::string bad = e.bytes;
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < edits; ++k) {
        const size_t pos = rng() % bad.size();
        switch (rng() % 4) {
          case 0:
            bad[pos] = static_cast<char>(rng());
            break;
          case 1:
            bad[pos] = static_cast<char>(bad[pos] ^ (1 << (rng() % 8)));
            break;
          case 2:
            bad.insert(pos, 1 + rng() % 16, static_cast<char>(rng()));
            break;
          default:
            bad.erase(pos, 1 + rng() % 16);
            break;
        }
        if (bad.empty()) bad = "x";
      }
      EXPECT_TRUE(allowed.count(Reason(bad)) == 1);
    }
  }
}

// ---- dHash ----

TEST(DHashTest, DistanceCountsDifferingBits) {
  EXPECT_EQ(DHashDistance(0, 0), 0);
  EXPECT_EQ(DHashDistance(0, ~uint64_t{0}), 64);
  EXPECT_EQ(DHashDistance(0b1011, 0b0001), 2);
  EXPECT_EQ(DHashDistance(uint64_t{1} << 63, 1), 2);
}

ti::Picture Gradient(uint32_t w, uint32_t h, bool brighter_to_the_right) {
  ti::Picture p{w, h, std::vector<uint8_t>(size_t{w} * h * 4, 255)};
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      const uint8_t v =
          static_cast<uint8_t>(brighter_to_the_right ? x * 255 / (w - 1) : 255 - x * 255 / (w - 1));
      uint8_t* px = &p.rgba[(size_t{y} * w + x) * 4];
      px[0] = px[1] = px[2] = v;
    }
  }
  return p;
}

TEST(DHashTest, BitsSayWhereTheRightNeighbourIsBrighter) {
  EXPECT_EQ(HashOf(ti::EncodePng(Gradient(90, 80, true))), ~uint64_t{0});
  EXPECT_EQ(HashOf(ti::EncodePng(Gradient(90, 80, false))), uint64_t{0});
  // A flat picture has no brighter neighbours.
  ti::Picture flat{50, 40, std::vector<uint8_t>(size_t{50} * 40 * 4, 128)};
  EXPECT_EQ(HashOf(ti::EncodePng(flat)), uint64_t{0});
  // Only the top half brightens to the right: the first 32 bits (rows 0-3) are set.
  ti::Picture half = Gradient(90, 80, true);
  for (size_t i = size_t{90} * 40 * 4; i < half.rgba.size(); i += 4) {
    half.rgba[i] = half.rgba[i + 1] = half.rgba[i + 2] = 60;
  }
  EXPECT_EQ(HashOf(ti::EncodePng(half)), uint64_t{0xFFFFFFFF00000000});
}

TEST(DHashTest, TransparentPixelsCountAsWhite) {
  // Black fading to transparent (i.e. to white) brightens to the right.
  ti::Picture p{90, 80, std::vector<uint8_t>(size_t{90} * 80 * 4, 0)};
  for (uint32_t y = 0; y < 80; ++y) {
    for (uint32_t x = 0; x < 90; ++x) p.rgba[(y * 90 + x) * 4 + 3] = 255 - x * 255 / 89;
  }
  EXPECT_EQ(HashOf(ti::EncodePng(p)), ~uint64_t{0});
  EXPECT_EQ(HashOf(ti::EncodeWebp(p, 80, true)), ~uint64_t{0});
  // The translucent picture hashes like its JPEG, which is composited over white.
  const ti::Picture waves = ti::MakePicture(120, 90, 23, /*translucent=*/true);
  EXPECT_LE(DHashDistance(HashOf(ti::EncodePng(waves)), HashOf(ti::EncodeJpeg(waves))), 6);
}

TEST(DHashTest, LosslessEncodingsHashIdentically) {
  const ti::Picture p = ti::MakePicture(160, 120, 29);
  const uint64_t png = HashOf(ti::EncodePng(p));
  EXPECT_EQ(HashOf(ti::EncodePng(p, true)), png);
  EXPECT_EQ(HashOf(ti::EncodeWebp(p, 100, true)), png);
}

TEST(DHashTest, ReencodedPicturesDifferInFewBits) {
  for (uint32_t seed : {31u, 37u, 41u, 43u}) {
    SCOPED_TRACE(seed);
    const ti::Picture p = ti::MakePicture(160, 120, seed);
    const uint64_t original = HashOf(ti::EncodePng(p));
    const uint64_t jpeg = HashOf(ti::EncodeJpeg(p, {.quality = 92}));
    // Slightly recompressed: the same picture at a lower quality.
    const uint64_t recompressed = HashOf(ti::EncodeJpeg(p, {.quality = 60}));
    EXPECT_LE(DHashDistance(original, jpeg), 6);
    EXPECT_LE(DHashDistance(jpeg, recompressed), 6);
    EXPECT_LE(DHashDistance(original, HashOf(ti::EncodeJpeg(p, {.cmyk = true}))), 6);
    EXPECT_LE(DHashDistance(original, HashOf(ti::EncodeWebp(p, 50))), 6);
    EXPECT_LE(DHashDistance(original, HashOf(ti::EncodeGif(p))), 10);  // 256 colours only
    // The same picture at another size.
    EXPECT_LE(DHashDistance(original, HashOf(ti::EncodePng(ti::MakePicture(400, 300, seed)))), 6);
  }
}

TEST(DHashTest, UnrelatedPicturesDifferInManyBits) {
  std::vector<uint64_t> hashes;
  for (uint32_t seed = 100; seed < 112; ++seed) {
    hashes.push_back(HashOf(ti::EncodeJpeg(ti::MakePicture(160, 120, seed))));
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    for (size_t j = i + 1; j < hashes.size(); ++j) {
      EXPECT_GE(DHashDistance(hashes[i], hashes[j]), 16) << i << " vs " << j;
    }
  }
}

TEST(DHashTest, TinyImagesHash) {
  // Smaller than 9x8: cells repeat pixels. A 2x1 picture dark then bright: every cell pair
  // that straddles the two pixels has a brighter right neighbour.
  ti::Picture p{2, 1, {0, 0, 0, 255, 255, 255, 255, 255}};
  // Columns 0-4 of the 9 sample the black pixel and 5-8 the white one, in all 8 rows: only
  // the pair (4, 5) brightens, bit 3 of each row's byte.
  EXPECT_EQ(HashOf(ti::EncodePng(p)), uint64_t{0x0808080808080808});
  EXPECT_EQ(HashOf(ti::EncodePng(ti::Picture{1, 1, {9, 9, 9, 255}})), 0u);
}

}  // namespace
}  // namespace herald::media
