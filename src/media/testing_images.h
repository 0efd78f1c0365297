// Test support: real images made on the spot, so that no test needs image files checked in.
// Link herald::media_testing from TEST_DEPS (any module's tests may, e.g. to upload avatars).
//
//   auto picture = media::testing_images::MakePicture(64, 48, /*seed=*/1);
//   std::string png = media::testing_images::EncodePng(picture);
//
// Encoders use the same libraries InspectImage decodes with (libpng, libjpeg-turbo, libwebp);
// GIF is written byte by byte (an uncompressed LZW stream). Every function is deterministic and
// thread-safe; an encoder returns an empty string only when its library fails (a test bug).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace herald::media::testing_images {

// An 8-bit RGBA picture: rows top to bottom, 4 bytes per pixel.
struct Picture {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgba;
};

// A picture of smooth colour waves. Equal arguments give equal pictures; different seeds give
// unrelated ones. With `translucent`, alpha falls from 255 on the left to 0 on the right.
Picture MakePicture(uint32_t width, uint32_t height, uint32_t seed, bool translucent = false);

// PNG, 8-bit RGBA (or RGB when every pixel is opaque); Adam7-interlaced when asked.
std::string EncodePng(const Picture& picture, bool interlaced = false);

struct JpegOptions {
  int quality = 90;
  bool progressive = false;
  bool cmyk = false;  // Adobe-style inverted CMYK instead of YCbCr 4:2:0
  // > 0: progressive with each of the 64 coefficients of each component in scans of its own,
  // refined over this many successive-approximation steps (1-11): 3 * 64 * split_scans scans,
  // the shape of a decoder CPU-cost attack.
  int split_scans = 0;
};

// JPEG of the picture composited over white, e.g. EncodeJpeg(p, {.quality = 40}).
std::string EncodeJpeg(const Picture& picture, const JpegOptions& options = {});

// Lossy WebP (WebPEncodeRGBA) or lossless (WebPEncodeLosslessRGBA).
std::string EncodeWebp(const Picture& picture, float quality = 80, bool lossless = false);

// GIF89a with a 3-3-2 RGB palette of 256 colours, the picture composited over white. Written
// by hand: literal LZW codes only, with a clear code every 128 codes.
std::string EncodeGif(const Picture& picture);

// A hostile PNG: signature, an IHDR claiming width x height (8-bit RGB), one tiny IDAT and IEND,
// all with correct CRCs, but nowhere near enough pixel data.
std::string PngClaimingSize(uint32_t width, uint32_t height);

}  // namespace herald::media::testing_images
