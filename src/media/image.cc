#include "media/image.h"

#include <png.h>
#include <stb/stb_image.h>
#include <webp/decode.h>

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>
// jpeglib.h uses FILE and size_t without declaring them: it must come after <cstdio>.
#include <jpeglib.h>
// jerror.h (the JWRN_* message codes) depends on the configuration jpeglib.h includes.
#include <jerror.h>

namespace herald::media {

namespace {

// A file larger than this many scans is refused: each progressive scan re-reads the whole
// coefficient buffer, so thousands of tiny scans make a small file cost minutes of CPU.
constexpr int kMaxJpegScans = 1000;

enum class Format { kUnknown, kJpeg, kPng, kWebp, kGif };

struct Dims {
  uint32_t width = 0, height = 0;
};

Status FileError(std::string message, std::string reason) {
  return InvalidArgument(std::move(message), std::move(reason), "file");
}

Status Corrupt(std::string message) { return FileError(std::move(message), "image_corrupt"); }

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

uint32_t Be16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t Le16(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8); }

Format Sniff(std::string_view b) {
  if (b.size() >= 3 && b.compare(0, 3, "\xFF\xD8\xFF") == 0) return Format::kJpeg;
  if (b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0) return Format::kPng;
  if (b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) {
    return Format::kWebp;
  }
  if (b.size() >= 6 && (b.compare(0, 6, "GIF87a") == 0 || b.compare(0, 6, "GIF89a") == 0)) {
    return Format::kGif;
  }
  return Format::kUnknown;
}

// ---- Grey conversion and dHash ----

// Rec. 601 luma (the weights JPEG uses for Y), composited over white by alpha.
uint8_t LumaOverWhite(uint32_t r, uint32_t g, uint32_t b, uint32_t a) {
  uint32_t y = (299 * r + 587 * g + 114 * b + 500) / 1000;
  return static_cast<uint8_t>((y * a + 255 * (255 - a) + 127) / 255);
}

void RgbaToGray(const uint8_t* rgba, uint32_t width, uint8_t* gray) {
  for (uint32_t x = 0; x < width; ++x, rgba += 4) {
    gray[x] = LumaOverWhite(rgba[0], rgba[1], rgba[2], rgba[3]);
  }
}

// Box-averages a grey image, fed one row at a time, down to 9x8 cells. Each cell covers a range
// of at least one column and one row; ranges overlap only when the image is smaller than 9x8.
class DHasher {
 public:
  DHasher(uint32_t width, uint32_t height) {
    for (uint64_t c = 0; c < kCols; ++c) {
      x0_[c] = static_cast<uint32_t>(c * width / kCols);
      x1_[c] = std::max(static_cast<uint32_t>((c + 1) * width / kCols), x0_[c] + 1);
    }
    for (uint64_t r = 0; r < kRows; ++r) {
      y0_[r] = static_cast<uint32_t>(r * height / kRows);
      y1_[r] = std::max(static_cast<uint32_t>((r + 1) * height / kRows), y0_[r] + 1);
    }
  }

  void AddRow(uint32_t y, const uint8_t* gray) {
    std::array<uint64_t, kCols> col{};
    for (size_t c = 0; c < kCols; ++c) {
      for (uint32_t x = x0_[c]; x < x1_[c]; ++x) col[c] += gray[x];
    }
    for (size_t r = 0; r < kRows; ++r) {
      if (y < y0_[r] || y >= y1_[r]) continue;
      for (size_t c = 0; c < kCols; ++c) sum_[r][c] += col[c];
    }
  }

  uint64_t Finish() const {
    uint64_t hash = 0;
    for (size_t r = 0; r < kRows; ++r) {
      uint64_t rows = y1_[r] - y0_[r];
      for (size_t c = 0; c + 1 < kCols; ++c) {
        // right mean > left mean, without division: sum_r * n_l > sum_l * n_r.
        using U128 = unsigned __int128;
        const uint64_t n_left = (x1_[c] - x0_[c]) * rows;
        const uint64_t n_right = (x1_[c + 1] - x0_[c + 1]) * rows;
        const U128 left = U128{sum_[r][c]} * n_right;
        const U128 right = U128{sum_[r][c + 1]} * n_left;
        hash = (hash << 1) | (right > left ? 1 : 0);
      }
    }
    return hash;
  }

 private:
  static constexpr size_t kCols = 9, kRows = 8;
  std::array<uint32_t, kCols> x0_{}, x1_{};
  std::array<uint32_t, kRows> y0_{}, y1_{};
  std::array<std::array<uint64_t, kCols>, kRows> sum_{};
};

// ---- Headers ----

Result<Dims> PngDims(std::string_view b) {
  // Signature (8), then the IHDR chunk: length 13 (4), "IHDR" (4), width (4), height (4), ...
  if (b.size() < 33 || Be32(Bytes(b) + 8) != 13 || b.compare(12, 4, "IHDR") != 0) {
    return Corrupt("the PNG file has no image header");
  }
  return Dims{Be32(Bytes(b) + 16), Be32(Bytes(b) + 20)};
}

Result<Dims> JpegDims(std::string_view b) {
  const uint8_t* p = Bytes(b);
  const size_t n = b.size();
  size_t pos = 2;  // after SOI
  for (;;) {
    while (pos < n && p[pos] != 0xFF) ++pos;  // libjpeg skips stray bytes too (with a warning)
    while (pos < n && p[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) break;
    const uint8_t marker = p[pos++];
    if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9 || marker == 0xDA) break;  // EOI or a scan before any frame header
    if (n - pos < 2) break;
    const size_t length = Be16(p + pos);
    if (length < 2 || length > n - pos) break;
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (length < 7) break;
      return Dims{Be16(p + pos + 5), Be16(p + pos + 3)};
    }
    pos += length;
  }
  return Corrupt("the JPEG file has no frame header");
}

Result<Dims> WebpDims(std::string_view b) {
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(Bytes(b), b.size(), &features) != VP8_STATUS_OK) {
    return Corrupt("the WebP file has no readable header");
  }
  if (features.has_animation) {
    return FileError("animated WebP images are not supported", "unsupported_media_type");
  }
  if (features.width <= 0 || features.height <= 0) return Corrupt("the WebP file has no pixels");
  return Dims{static_cast<uint32_t>(features.width), static_cast<uint32_t>(features.height)};
}

Result<Dims> GifDims(std::string_view b) {
  if (b.size() < 13) return Corrupt("the GIF file has no screen descriptor");
  return Dims{Le16(Bytes(b) + 6), Le16(Bytes(b) + 8)};
}

Status CheckDimensions(Dims d, const ImageLimits& limits) {
  if (d.width == 0 || d.height == 0) return Corrupt("the image has no pixels");
  if (d.width > limits.max_width || d.height > limits.max_height ||
      uint64_t{d.width} * d.height > limits.max_pixels) {
    return FileError("the image is " + std::to_string(d.width) + "x" + std::to_string(d.height) +
                         " pixels; at most " + std::to_string(limits.max_width) + "x" +
                         std::to_string(limits.max_height) + " and " +
                         std::to_string(limits.max_pixels) + " pixels are allowed",
                     "image_dimensions");
  }
  return Status::Ok();
}

// ---- PNG (libpng) ----
//
// libpng reports errors by calling our error function, which must not return: it longjmps back
// to the setjmp in DecodePngRows. Everything that owns memory lives in PngState, outside the
// frame that calls setjmp, and the structs are destroyed by PngGuard whatever happens.

struct PngInput {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
};

void PngRead(png_structp png, png_bytep out, size_t length) {
  auto* in = static_cast<PngInput*>(png_get_io_ptr(png));
  if (length > in->size - in->pos) png_error(png, "truncated");
  std::memcpy(out, in->data + in->pos, length);
  in->pos += length;
}

void PngError(png_structp png, png_const_charp /*message*/) { png_longjmp(png, 1); }
void PngWarning(png_structp /*png*/, png_const_charp /*message*/) {}

struct PngGuard {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngGuard() {
    if (png != nullptr) png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
  }
};

struct PngState {
  PngInput input;
  Dims dims;
  DHasher* hasher;
  std::vector<uint8_t> pixels;  // one RGBA row, or the whole image when interlaced
  std::vector<uint8_t> gray;
};

// Ancillary chunks that say nothing about the pixels we need: skipped unread, so that quirks in
// metadata (a bad ICC profile, a malformed text chunk) neither cost time nor refuse a picture.
constexpr png_byte kIgnoredPngChunks[] = {
    'b', 'K', 'G', 'D', '\0', 'c', 'H', 'R', 'M', '\0', 'e', 'X', 'I', 'f', '\0',
    'g', 'A', 'M', 'A', '\0', 'h', 'I', 'S', 'T', '\0', 'i', 'C', 'C', 'P', '\0',
    'i', 'T', 'X', 't', '\0', 'o', 'F', 'F', 's', '\0', 'p', 'C', 'A', 'L', '\0',
    'p', 'H', 'Y', 's', '\0', 's', 'B', 'I', 'T', '\0', 's', 'C', 'A', 'L', '\0',
    's', 'P', 'L', 'T', '\0', 's', 'R', 'G', 'B', '\0', 't', 'E', 'X', 't', '\0',
    't', 'I', 'M', 'E', '\0', 'z', 'T', 'X', 't', '\0'};

// Returns false when libpng reported an error or the file contradicts its header. Only
// trivially destructible locals live here, since a longjmp may land at the setjmp.
bool DecodePngRows(png_structp png, png_infop info, PngState& st) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, &st.input, PngRead);
  png_set_user_limits(png, st.dims.width, st.dims.height);
  png_set_chunk_cache_max(png, 128);
  png_set_chunk_malloc_max(png, 8 << 20);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kIgnoredPngChunks,
                              sizeof(kIgnoredPngChunks) / 5);
  // "Not enough image data" and friends are benign by default; here they mean corrupt.
  png_set_benign_errors(png, 0);

  png_read_info(png, info);
  if (png_get_image_width(png, info) != st.dims.width ||
      png_get_image_height(png, info) != st.dims.height) {
    return false;
  }
  // Everything to 8-bit RGBA.
  const png_byte color_type = png_get_color_type(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  if ((color_type & PNG_COLOR_MASK_ALPHA) == 0 && png_get_valid(png, info, PNG_INFO_tRNS) == 0) {
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
  }
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const size_t row_bytes = size_t{st.dims.width} * 4;
  if (png_get_rowbytes(png, info) != row_bytes || png_get_channels(png, info) != 4) return false;

  st.gray.resize(st.dims.width);
  if (passes == 1) {
    st.pixels.resize(row_bytes);
    for (uint32_t y = 0; y < st.dims.height; ++y) {
      png_read_row(png, st.pixels.data(), nullptr);
      RgbaToGray(st.pixels.data(), st.dims.width, st.gray.data());
      st.hasher->AddRow(y, st.gray.data());
    }
  } else {
    st.pixels.resize(row_bytes * st.dims.height);
    for (int pass = 0; pass < passes; ++pass) {
      for (uint32_t y = 0; y < st.dims.height; ++y) {
        png_read_row(png, st.pixels.data() + row_bytes * y, nullptr);
      }
    }
    for (uint32_t y = 0; y < st.dims.height; ++y) {
      RgbaToGray(st.pixels.data() + row_bytes * y, st.dims.width, st.gray.data());
      st.hasher->AddRow(y, st.gray.data());
    }
  }
  png_read_end(png, nullptr);  // through IEND: a file cut after the pixels is still corrupt
  return true;
}

Status DecodePng(std::string_view bytes, Dims dims, DHasher& hasher) {
  PngGuard guard;
  guard.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, PngError, PngWarning);
  if (guard.png == nullptr) return Internal("libpng could not start");
  guard.info = png_create_info_struct(guard.png);
  if (guard.info == nullptr) return Internal("libpng could not start");
  PngState st{{Bytes(bytes), bytes.size()}, dims, &hasher, {}, {}};
  if (!DecodePngRows(guard.png, guard.info, st)) {
    return Corrupt("the PNG file is truncated or corrupt");
  }
  return Status::Ok();
}

// ---- JPEG (libjpeg-turbo) ----
//
// Same pattern as PNG: error_exit longjmps to the setjmp in DecodeJpegRows; output_message is
// silenced; warnings that mean damaged image data are turned into errors.

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first, so that cinfo->err can be cast back
  jmp_buf jump;
};

[[noreturn]] void JpegErrorExit(j_common_ptr cinfo) {
  longjmp(reinterpret_cast<JpegErrorManager*>(cinfo->err)->jump, 1);
}

void JpegOutputMessage(j_common_ptr /*cinfo*/) {}

void JpegEmitMessage(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_ARITH_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
      JpegErrorExit(cinfo);
    default:
      ++cinfo->err->num_warnings;  // harmless: unknown JFIF revision, extraneous bytes, ...
  }
}

void JpegProgress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor &&
      reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number > kMaxJpegScans) {
    JpegErrorExit(cinfo);
  }
}

struct JpegState {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  jpeg_progress_mgr progress;
  bool created = false;
  std::string_view bytes;
  Dims dims;
  long max_memory;
  DHasher* hasher;
  std::vector<uint8_t> row;
  std::vector<uint8_t> gray;

  ~JpegState() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

bool DecodeJpegRows(JpegState& st) {
  j_decompress_ptr cinfo = &st.cinfo;
  if (setjmp(st.err.jump)) return false;
  jpeg_create_decompress(cinfo);
  st.created = true;
  cinfo->mem->max_memory_to_use = st.max_memory;
  st.progress.progress_monitor = JpegProgress;
  cinfo->progress = &st.progress;
  jpeg_mem_src(cinfo, Bytes(st.bytes), static_cast<unsigned long>(st.bytes.size()));
  jpeg_read_header(cinfo, TRUE);
  if (cinfo->image_width != st.dims.width || cinfo->image_height != st.dims.height) return false;
  const bool cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
  jpeg_start_decompress(cinfo);
  if (cinfo->output_width != st.dims.width || cinfo->output_height != st.dims.height ||
      cinfo->output_components != (cmyk ? 4 : 1)) {
    return false;
  }
  st.row.resize(size_t{st.dims.width} * cinfo->output_components);
  st.gray.resize(st.dims.width);
  while (cinfo->output_scanline < cinfo->output_height) {
    const uint32_t y = cinfo->output_scanline;
    JSAMPROW row = st.row.data();
    if (jpeg_read_scanlines(cinfo, &row, 1) != 1) return false;
    if (cmyk) {
      // Adobe's inverted CMYK, as libjpeg returns it: 255 means no ink.
      const uint8_t* p = st.row.data();
      for (uint32_t x = 0; x < st.dims.width; ++x, p += 4) {
        st.gray[x] = LumaOverWhite(p[0] * p[3] / 255, p[1] * p[3] / 255, p[2] * p[3] / 255, 255);
      }
      st.hasher->AddRow(y, st.gray.data());
    } else {
      st.hasher->AddRow(y, st.row.data());
    }
  }
  jpeg_finish_decompress(cinfo);  // through EOI
  return true;
}

Status DecodeJpeg(std::string_view bytes, Dims dims, const ImageLimits& limits, DHasher& hasher) {
  auto st = std::make_unique<JpegState>();
  st->cinfo.err = jpeg_std_error(&st->err.pub);
  st->err.pub.error_exit = JpegErrorExit;
  st->err.pub.output_message = JpegOutputMessage;
  st->err.pub.emit_message = JpegEmitMessage;
  st->bytes = bytes;
  st->dims = dims;
  st->hasher = &hasher;
  // Progressive files keep every coefficient in memory (up to 6 bytes per pixel at 4:4:4):
  // allow that for an image within the pixel limit, and not much more.
  st->max_memory = static_cast<long>(
      std::min<uint64_t>(limits.max_pixels * 6 + (16u << 20), static_cast<uint64_t>(LONG_MAX)));
  if (!DecodeJpegRows(*st)) return Corrupt("the JPEG file is truncated or corrupt");
  return Status::Ok();
}

// ---- WebP (libwebp) ----

Status DecodeWebp(std::string_view bytes, Dims dims, DHasher& hasher) {
  int width = 0, height = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> rgba(
      WebPDecodeRGBA(Bytes(bytes), bytes.size(), &width, &height), WebPFree);
  if (rgba == nullptr) return Corrupt("the WebP file is truncated or corrupt");
  if (static_cast<uint32_t>(width) != dims.width || static_cast<uint32_t>(height) != dims.height) {
    return Corrupt("the WebP file contradicts its header");
  }
  std::vector<uint8_t> gray(dims.width);
  for (uint32_t y = 0; y < dims.height; ++y) {
    RgbaToGray(rgba.get() + size_t{dims.width} * 4 * y, dims.width, gray.data());
    hasher.AddRow(y, gray.data());
  }
  return Status::Ok();
}

// ---- GIF (stb_image, first frame) ----

// stb_image decodes a frame whose data stops early as if the rest were background, so the block
// structure is walked here first: every block complete, at least one image, and the trailer.
bool GifStructureComplete(std::string_view b) {
  const uint8_t* p = Bytes(b);
  const size_t n = b.size();
  size_t pos = 13;  // header (6) and logical screen descriptor (7)
  if (n < pos) return false;
  if ((p[10] & 0x80) != 0) {
    const size_t table = size_t{3} << ((p[10] & 7) + 1);
    if (table > n - pos) return false;
    pos += table;
  }
  auto skip_sub_blocks = [&]() {
    for (;;) {
      if (pos >= n) return false;
      const size_t length = p[pos++];
      if (length == 0) return true;
      if (length > n - pos) return false;
      pos += length;
    }
  };
  int images = 0;
  for (;;) {
    if (pos >= n) return false;
    const uint8_t block = p[pos++];
    if (block == 0x3B) return images > 0;  // trailer
    if (block == 0x21) {                   // extension: label, then sub-blocks
      if (pos >= n) return false;
      ++pos;
      if (!skip_sub_blocks()) return false;
    } else if (block == 0x2C) {  // image descriptor, local colour table, LZW code size, data
      if (n - pos < 9) return false;
      const uint8_t flags = p[pos + 8];
      pos += 9;
      if ((flags & 0x80) != 0) {
        const size_t table = size_t{3} << ((flags & 7) + 1);
        if (table > n - pos) return false;
        pos += table;
      }
      if (pos >= n) return false;
      ++pos;
      if (!skip_sub_blocks()) return false;
      ++images;
    } else {
      return false;
    }
  }
}

Status DecodeGif(std::string_view bytes, Dims dims, DHasher& hasher) {
  if (!GifStructureComplete(bytes) || bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Corrupt("the GIF file is truncated or corrupt");
  }
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> rgba(
      stbi_load_from_memory(Bytes(bytes), static_cast<int>(bytes.size()), &width, &height,
                            &channels, 4),
      stbi_image_free);
  if (rgba == nullptr) return Corrupt("the GIF file is truncated or corrupt");
  if (static_cast<uint32_t>(width) != dims.width || static_cast<uint32_t>(height) != dims.height) {
    return Corrupt("the GIF file contradicts its header");
  }
  std::vector<uint8_t> gray(dims.width);
  for (uint32_t y = 0; y < dims.height; ++y) {
    RgbaToGray(rgba.get() + size_t{dims.width} * 4 * y, dims.width, gray.data());
    hasher.AddRow(y, gray.data());
  }
  return Status::Ok();
}

}  // namespace

Result<ImageInfo> InspectImage(std::string_view bytes, const ImageLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return FileError("the image is larger than " + std::to_string(limits.max_bytes) + " bytes",
                     "image_too_large");
  }
  ImageInfo info;
  Result<Dims> dims = Corrupt("");
  const Format format = Sniff(bytes);
  switch (format) {
    case Format::kJpeg:
      info.mime = "image/jpeg";
      info.extension = "jpg";
      dims = JpegDims(bytes);
      break;
    case Format::kPng:
      info.mime = "image/png";
      info.extension = "png";
      dims = PngDims(bytes);
      break;
    case Format::kWebp:
      info.mime = "image/webp";
      info.extension = "webp";
      dims = WebpDims(bytes);
      break;
    case Format::kGif:
      info.mime = "image/gif";
      info.extension = "gif";
      dims = GifDims(bytes);
      break;
    case Format::kUnknown:
      return FileError("only JPEG, PNG, WebP and GIF images are accepted",
                       "unsupported_media_type");
  }
  if (!dims.ok()) return dims.status();
  HERALD_RETURN_IF_ERROR(CheckDimensions(*dims, limits));

  DHasher hasher(dims->width, dims->height);
  Status decoded;
  switch (format) {
    case Format::kJpeg:
      decoded = DecodeJpeg(bytes, *dims, limits, hasher);
      break;
    case Format::kPng:
      decoded = DecodePng(bytes, *dims, hasher);
      break;
    case Format::kWebp:
      decoded = DecodeWebp(bytes, *dims, hasher);
      break;
    case Format::kGif:
      decoded = DecodeGif(bytes, *dims, hasher);
      break;
    case Format::kUnknown:
      break;
  }
  HERALD_RETURN_IF_ERROR(decoded);
  info.width = dims->width;
  info.height = dims->height;
  info.dhash = hasher.Finish();
  return info;
}

int DHashDistance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

}  // namespace herald::media
