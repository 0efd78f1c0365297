// Image validation for uploads (avatars, article images): decides what an untrusted byte string
// really is, refuses anything too big before decoding it, and fully decodes what is left to prove
// it is a real image. The decoders (libpng, libjpeg-turbo, libwebp, stb_image for GIF) stay inside
// this module; callers see only ImageInfo and Status.
//
// Error policy: every failure is StatusCode::kInvalidArgument with field "file" and one of the
// reasons below; hostile input never crashes, aborts, leaks or prints to stderr. Size is refused
// with InvalidArgument rather than ResourceExhausted because it is a property of this request,
// not a quota or rate limit, and retrying the same bytes will fail (ResourceExhausted maps to 429).
//
// Thread-safe: InspectImage keeps no state between calls and may run on many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace herald::media {

struct ImageLimits {
  size_t max_bytes = 5 << 20;  // refused before anything is parsed
  uint32_t max_width = 8192, max_height = 8192;
  uint64_t max_pixels = 40'000'000;  // width * height; bounds decoder memory (see InspectImage)
};

struct ImageInfo {
  std::string mime;       // "image/jpeg", "image/png", "image/webp" or "image/gif"
  std::string extension;  // "jpg", "png", "webp" or "gif": the file name extension to store under
  uint32_t width = 0, height = 0;
  // 64-bit difference hash of the (first frame of the) image, for matching against known-bad
  // images: the picture is turned to grey (Rec. 601 luma; transparent pixels over white),
  // box-averaged down to 9 columns x 8 rows, and bit (63 - (8 * row + col)) is set when cell
  // (row, col + 1) is brighter than cell (row, col). Re-encodings and rescalings of one picture
  // differ in few bits (compare with DHashDistance); unrelated pictures in about half.
  uint64_t dhash = 0;
};

// Inspects untrusted `bytes`. Steps, in order:
//  1. more than limits.max_bytes                           → "image_too_large"
//  2. type sniffed from magic bytes only (a declared Content-Type or file name is never used):
//     JPEG (FF D8 FF), PNG (89 'PNG' 0D 0A 1A 0A), WebP ('RIFF' .... 'WEBP'), GIF ('GIF87a' or
//     'GIF89a'); anything else                              → "unsupported_media_type"
//  3. width and height read from the header; a header that cannot be read, or a zero width or
//     height                                               → "image_corrupt"
//     wider than max_width, higher than max_height, or more than max_pixels pixels, refused
//     before any pixel memory is allocated                 → "image_dimensions"
//  4. the whole image decoded (the first frame of a GIF); a truncated or corrupt file, or a
//     decoder's own dimensions disagreeing with the header → "image_corrupt"
//     Animated WebP files (not decodable by WebPDecodeRGBA)  → "unsupported_media_type"
// Strictness: a JPEG whose entropy-coded data is damaged or truncated (libjpeg's "premature
// end", "bad Huffman code", "must resync" warnings) and a GIF missing its trailer are corrupt,
// although some viewers would show them; a JPEG may have at most 1000 progressive scans.
// Memory while decoding: about one row of pixels for PNG and JPEG, except interlaced PNGs and
// progressive JPEGs (4 and up to 6 bytes per pixel); 4 bytes per pixel for WebP; 9 for GIF
// (stb_image keeps three canvases). So max_pixels bounds one call: about 360 MB in the worst
// case (a 40-megapixel GIF) at the defaults; lower max_pixels to lower that.
Result<ImageInfo> InspectImage(std::string_view bytes, const ImageLimits& limits);

// Number of differing bits between two dHashes (0-64). Pictures within about 10 bits of each
// other are very likely the same picture.
int DHashDistance(uint64_t a, uint64_t b);

}  // namespace herald::media
