#include "media/testing_images.h"

#include <png.h>
#include <webp/encode.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <memory>
// jpeglib.h uses FILE and size_t without declaring them: it must come after <cstdio>.
#include <jpeglib.h>

namespace herald::media::testing_images {

namespace {

constexpr double kTwoPi = 6.283185307179586;

uint8_t Clamp(double v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : std::lround(v)); }

// xorshift64*: a tiny deterministic generator, so pictures are equal on every machine.
class Rng {
 public:
  explicit Rng(uint32_t seed) : state_((seed + 1) * 0x9E3779B97F4A7C15ULL) {}
  double Next() {  // [0, 1)
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<double>((state_ * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t state_;
};

// The picture composited over white, 3 bytes per pixel.
std::vector<uint8_t> RgbOverWhite(const Picture& p) {
  std::vector<uint8_t> rgb(size_t{p.width} * p.height * 3);
  for (size_t i = 0, j = 0; i < p.rgba.size(); i += 4, j += 3) {
    const uint32_t a = p.rgba[i + 3];
    for (size_t k = 0; k < 3; ++k) {
      rgb[j + k] = static_cast<uint8_t>((p.rgba[i + k] * a + 255 * (255 - a) + 127) / 255);
    }
  }
  return rgb;
}

// ---- PNG ----

void PngWrite(png_structp png, png_bytep data, size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), length);
}
void PngFlush(png_structp /*png*/) {}
void PngFail(png_structp png, png_const_charp /*message*/) { png_longjmp(png, 1); }
void PngQuiet(png_structp /*png*/, png_const_charp /*message*/) {}

bool WritePng(png_structp png, png_infop info, const Picture& p, bool interlaced, bool opaque,
              std::string* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, PngWrite, PngFlush);
  png_set_IHDR(png, info, p.width, p.height, 8, opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA,
               interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  if (opaque) png_set_filler(png, 0, PNG_FILLER_AFTER);  // drop the alpha byte of each pixel
  const int passes = png_set_interlace_handling(png);
  for (int pass = 0; pass < passes; ++pass) {
    for (uint32_t y = 0; y < p.height; ++y) {
      png_write_row(png, p.rgba.data() + size_t{p.width} * 4 * y);
    }
  }
  png_write_end(png, nullptr);
  return true;
}

// ---- JPEG ----

struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
};

[[noreturn]] void JpegFail(j_common_ptr cinfo) {
  longjmp(reinterpret_cast<JpegErrorManager*>(cinfo->err)->jump, 1);
}
void JpegQuiet(j_common_ptr /*cinfo*/) {}

struct JpegEncoder {
  jpeg_compress_struct cinfo;
  JpegErrorManager err;
  bool created = false;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  std::vector<uint8_t> pixels;  // RGB, or inverted CMYK
  std::vector<jpeg_scan_info> scans;

  ~JpegEncoder() {
    if (created) jpeg_destroy_compress(&cinfo);
    std::free(buffer);
  }
};

bool WriteJpeg(JpegEncoder& e, uint32_t width, uint32_t height, const JpegOptions& options) {
  j_compress_ptr cinfo = &e.cinfo;
  if (setjmp(e.err.jump)) return false;
  jpeg_create_compress(cinfo);
  e.created = true;
  jpeg_mem_dest(cinfo, &e.buffer, &e.size);
  const int components = options.cmyk ? 4 : 3;
  cinfo->image_width = width;
  cinfo->image_height = height;
  cinfo->input_components = components;
  cinfo->in_color_space = options.cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, options.quality, TRUE);
  if (options.progressive) jpeg_simple_progression(cinfo);
  if (!e.scans.empty()) {
    cinfo->scan_info = e.scans.data();
    cinfo->num_scans = static_cast<int>(e.scans.size());
  }
  jpeg_start_compress(cinfo, TRUE);
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = e.pixels.data() + size_t{width} * components * cinfo->next_scanline;
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  return true;
}

// ---- GIF ----

// Packs variable-width LZW codes least significant bit first into 255-byte sub-blocks.
class GifCodeWriter {
 public:
  explicit GifCodeWriter(std::string* out) : out_(out) {}
  void Put(uint32_t code, int bits) {
    acc_ |= code << used_;
    used_ += bits;
    while (used_ >= 8) {
      Byte(static_cast<uint8_t>(acc_ & 0xFF));
      acc_ >>= 8;
      used_ -= 8;
    }
  }
  void Finish() {
    if (used_ > 0) Byte(static_cast<uint8_t>(acc_ & 0xFF));
    Flush();
    out_->push_back('\0');  // block terminator
  }

 private:
  void Byte(uint8_t b) {
    block_.push_back(static_cast<char>(b));
    if (block_.size() == 255) Flush();
  }
  void Flush() {
    if (block_.empty()) return;
    out_->push_back(static_cast<char>(block_.size()));
    out_->append(block_);
    block_.clear();
  }

  std::string* out_;
  std::string block_;
  uint32_t acc_ = 0;
  int used_ = 0;
};

void PutLe16(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>((v >> 8) & 0xFF));
}

// ---- Raw PNG chunks ----

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

void PutBe32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xFF));
}

void PutChunk(std::string* out, std::string_view type, std::string_view data) {
  PutBe32(out, static_cast<uint32_t>(data.size()));
  std::string body(type);
  body.append(data);
  out->append(body);
  PutBe32(out, Crc32(body));
}

}  // namespace

Picture MakePicture(uint32_t width, uint32_t height, uint32_t seed, bool translucent) {
  Rng rng(seed);
  struct Wave {
    double fx, fy, phase, amplitude;
  };
  Wave waves[3];
  const double amplitudes[3] = {55, 35, 20};
  for (int i = 0; i < 3; ++i) {
    waves[i] = {(rng.Next() * 2 - 1) * 2.5, (rng.Next() * 2 - 1) * 2.5, rng.Next() * kTwoPi,
                amplitudes[i]};
  }
  const double tint_f = 0.5 + rng.Next() * 2, tint_phase = rng.Next() * kTwoPi;

  Picture p;
  p.width = width;
  p.height = height;
  p.rgba.resize(size_t{width} * height * 4);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      const double u = (x + 0.5) / width, v = (y + 0.5) / height;
      double lum = 128;
      for (const Wave& w : waves) {
        lum += w.amplitude * std::sin(kTwoPi * (w.fx * u + w.fy * v) + w.phase);
      }
      const double tint = 40 * std::sin(kTwoPi * tint_f * (u + v) + tint_phase);
      uint8_t* px = &p.rgba[(size_t{y} * width + x) * 4];
      px[0] = Clamp(lum + tint);
      px[1] = Clamp(lum);
      px[2] = Clamp(lum - tint);
      px[3] = translucent && width > 1 ? Clamp(255.0 - 255.0 * x / (width - 1)) : 255;
    }
  }
  return p;
}

std::string EncodePng(const Picture& picture, bool interlaced) {
  bool opaque = true;
  for (size_t i = 3; i < picture.rgba.size(); i += 4) opaque = opaque && picture.rgba[i] == 255;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, PngFail, PngQuiet);
  if (png == nullptr) return {};
  png_infop info = png_create_info_struct(png);
  std::string out;
  const bool ok = info != nullptr && WritePng(png, info, picture, interlaced, opaque, &out);
  png_destroy_write_struct(&png, info != nullptr ? &info : nullptr);
  return ok ? out : std::string();
}

std::string EncodeJpeg(const Picture& picture, const JpegOptions& options) {
  auto e = std::make_unique<JpegEncoder>();
  e->cinfo.err = jpeg_std_error(&e->err.pub);
  e->err.pub.error_exit = JpegFail;
  e->err.pub.output_message = JpegQuiet;
  e->pixels = RgbOverWhite(picture);
  if (options.cmyk) {
    // Inverted CMYK as Adobe writes it (255 = no ink): K' = max(R, G, B), C' = R * 255 / K', ...
    // so that R = C' * K' / 255.
    const std::vector<uint8_t> rgb = std::move(e->pixels);
    e->pixels.assign(rgb.size() / 3 * 4, 0);
    for (size_t i = 0, j = 0; i < rgb.size(); i += 3, j += 4) {
      const uint32_t k = std::max({rgb[i], rgb[i + 1], rgb[i + 2]});
      for (size_t c = 0; c < 3; ++c) {
        e->pixels[j + c] = static_cast<uint8_t>(k == 0 ? 0 : (rgb[i + c] * 255 + k / 2) / k);
      }
      e->pixels[j + 3] = static_cast<uint8_t>(k);
    }
  }
  if (options.split_scans > 0) {
    // Every component's DC first (the standard requires it), then each AC coefficient alone;
    // each sent at point transform Al = steps - 1 and refined one bit at a time down to 0.
    const int steps = std::min(options.split_scans, 11);
    const int components = options.cmyk ? 4 : 3;
    for (int k = 0; k < 64; ++k) {
      for (int c = 0; c < components; ++c) {
        for (int step = 0; step < steps; ++step) {
          jpeg_scan_info scan{};
          scan.comps_in_scan = 1;
          scan.component_index[0] = c;
          scan.Ss = scan.Se = k;
          scan.Ah = step == 0 ? 0 : steps - step;
          scan.Al = steps - step - 1;
          e->scans.push_back(scan);
        }
      }
    }
  }
  if (!WriteJpeg(*e, picture.width, picture.height, options)) return {};
  return std::string(reinterpret_cast<char*>(e->buffer), e->size);
}

std::string EncodeWebp(const Picture& picture, float quality, bool lossless) {
  uint8_t* output = nullptr;
  const int stride = static_cast<int>(picture.width * 4);
  const int w = static_cast<int>(picture.width), h = static_cast<int>(picture.height);
  const size_t size = lossless
                          ? WebPEncodeLosslessRGBA(picture.rgba.data(), w, h, stride, &output)
                          : WebPEncodeRGBA(picture.rgba.data(), w, h, stride, quality, &output);
  std::string out;
  if (size > 0) out.assign(reinterpret_cast<char*>(output), size);
  WebPFree(output);
  return out;
}

std::string EncodeGif(const Picture& picture) {
  std::string out = "GIF89a";
  PutLe16(&out, picture.width);
  PutLe16(&out, picture.height);
  out.push_back(static_cast<char>(0xF7));  // global colour table of 2^(7+1) entries, 8-bit colour
  out.push_back('\0');                     // background colour index
  out.push_back('\0');                     // pixel aspect ratio
  for (int i = 0; i < 256; ++i) {          // 3-3-2 palette
    out.push_back(static_cast<char>(((i >> 5) & 7) * 255 / 7));
    out.push_back(static_cast<char>(((i >> 2) & 7) * 255 / 7));
    out.push_back(static_cast<char>((i & 3) * 255 / 3));
  }
  out.push_back(',');  // image descriptor: at (0, 0), full size, no local table, not interlaced
  PutLe16(&out, 0);
  PutLe16(&out, 0);
  PutLe16(&out, picture.width);
  PutLe16(&out, picture.height);
  out.push_back('\0');
  constexpr uint32_t kMinCodeSize = 8, kClear = 256, kEnd = 257;
  out.push_back(static_cast<char>(kMinCodeSize));
  GifCodeWriter codes(&out);
  const std::vector<uint8_t> rgb = RgbOverWhite(picture);
  // Literal codes only; a clear code every 128 keeps the decoder's table (and so the code
  // width) from growing past 9 bits.
  for (size_t i = 0; i < rgb.size(); i += 3) {
    if ((i / 3) % 128 == 0) codes.Put(kClear, 9);
    const uint32_t index = (uint32_t{rgb[i]} >> 5 << 5) | (uint32_t{rgb[i + 1]} >> 5 << 2) |
                           (uint32_t{rgb[i + 2]} >> 6);
    codes.Put(index, 9);
  }
  codes.Put(kEnd, 9);
  codes.Finish();
  out.push_back(';');  // trailer
  return out;
}

std::string PngClaimingSize(uint32_t width, uint32_t height) {
  std::string out = "\x89PNG\r\n\x1A\n";
  std::string ihdr;
  PutBe32(&ihdr, width);
  PutBe32(&ihdr, height);
  ihdr.append("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, adaptive filter, no interlace
  PutChunk(&out, "IHDR", ihdr);
  PutChunk(&out, "IDAT", std::string_view("\x78\x9C\x03\x00\x00\x00\x00\x01", 8));  // zlib("")
  PutChunk(&out, "IEND", "");
  return out;
}

}  // namespace herald::media::testing_images
