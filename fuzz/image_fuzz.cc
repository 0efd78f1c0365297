// libFuzzer target: arbitrary bytes through media::InspectImage, as an avatar or article image
// upload would reach it: magic-byte sniffing, header parsing and limits, and the four decoders
// (libpng, libjpeg-turbo, libwebp, stb_image) with their error handling. Any crash, leak,
// sanitizer report, output on stderr or broken invariant is a bug. Seeds: fuzz/corpus/image,
// small pictures written by media/testing_images.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "media/image.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Smaller than the production limits so that each input decodes in milliseconds; the code
  // paths are the same.
  herald::media::ImageLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_width = 2048;
  limits.max_height = 2048;
  limits.max_pixels = 1 << 20;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto info = herald::media::InspectImage(bytes, limits);
  if (!info.ok()) {
    static const std::set<std::string> kReasons = {"image_too_large", "unsupported_media_type",
                                                   "image_corrupt", "image_dimensions"};
    Check(info.status().code() == herald::StatusCode::kInvalidArgument);
    Check(info.status().field() == "file");
    Check(kReasons.count(info.status().reason()) == 1);
    return 0;
  }
  Check(info->width > 0 && info->width <= limits.max_width);
  Check(info->height > 0 && info->height <= limits.max_height);
  Check(uint64_t{info->width} * info->height <= limits.max_pixels);
  static const std::set<std::string> kTypes = {"image/jpeg jpg", "image/png png", "image/webp webp",
                                               "image/gif gif"};
  Check(kTypes.count(info->mime + " " + info->extension) == 1);
  // Deterministic: the same bytes give the same answer.
  auto again = herald::media::InspectImage(bytes, limits);
  Check(again.ok() && again->dhash == info->dhash && again->width == info->width);
  return 0;
}
