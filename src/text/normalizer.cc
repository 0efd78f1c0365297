#include "text/normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>
#include <optional>
#include <unordered_map>

#include "text/utf8.h"

#ifndef HERALD_OPENCC_DATA_DIR
#define HERALD_OPENCC_DATA_DIR "/usr/share/opencc"
#endif

namespace herald::text {
namespace {

constexpr uint32_t kIdentity = 0xFFFFFFFFu;
constexpr size_t kPoolPadding = 4;
constexpr char32_t kMaxCodePoint = 0x10FFFF;
constexpr size_t kBlockCount = (kMaxCodePoint + 1) >> 8;  // 0x1100 blocks of 256 code points

// Curated CJK look-alikes (names only; see NormalizerOptions::fold_cjk_lookalikes). Each pair
// folds the first character to the second. Chosen for being confusable at a glance in common
// fonts, not for any linguistic relation. Katakana that mimic ideographs are included because
// they are a classic way to disguise a Chinese name. Targets are never themselves sources, so
// the fold is a function onto representatives.
constexpr std::pair<char32_t, char32_t> kCjkLookalikes[] = {
    {U'曰', U'日'},  // yuē / rì
    {U'末', U'未'},  // mò / wèi
    {U'已', U'己'},  // yǐ / jǐ
    {U'巳', U'己'},  // sì / jǐ
    {U'士', U'土'},  // shì / tǔ
    {U'戌', U'戊'},  // xū / wù
    {U'戍', U'戊'},  // shù / wù
    {U'候', U'侯'},  // hòu / hóu
    {U'入', U'人'},  // rù / rén
    {U'千', U'干'},  // qiān / gàn
    {U'夭', U'天'},  // yāo / tiān
    {U'祟', U'崇'},  // suì / chóng
    {U'荼', U'茶'},  // tú / chá
    {U'釆', U'采'},  // biàn / cǎi
    {U'兔', U'免'},  // tù / miǎn
    {U'拆', U'折'},  // chāi / zhé
    {U'刁', U'刀'},  // diāo / dāo
    {U'乌', U'鸟'},  // wū / niǎo
    {U'囗', U'口'},  // enclosure radical / kǒu
    {U'亳', U'毫'},  // bó / háo
    {U'肓', U'盲'},  // huāng / máng
    {U'壸', U'壶'},  // kǔn / hú
    {U'汨', U'汩'},  // mì / gǔ
    {U'ロ', U'口'},  // katakana ro
    {U'エ', U'工'},  // katakana e
    {U'カ', U'力'},  // katakana ka
    {U'タ', U'夕'},  // katakana ta
    {U'ハ', U'八'},  // katakana ha
    {U'ニ', U'二'},  // katakana ni
    {U'ー', U'一'},  // katakana prolonged sound mark
    {U'ト', U'卜'},  // katakana to
    {U'ヒ', U'匕'},  // katakana hi
};

bool IsNoise(UChar32 c) {
  const uint32_t mask = U_GET_GC_MASK(c);
  constexpr uint32_t kNoiseMask = U_GC_Z_MASK | U_GC_P_MASK | U_GC_S_MASK | U_GC_CC_MASK |
                                  U_GC_CF_MASK | U_GC_CO_MASK | U_GC_MN_MASK | U_GC_ME_MASK;
  if (mask & kNoiseMask) return true;
  return u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

// Scripts whose letters and digits may fold to an ASCII look-alike: the alphabets used to
// disguise Latin words (plus Common/Inherited, e.g. mathematical letters). Right-to-left and
// Indic scripts are left alone (Arabic alef is a perfect "l", but folding it would garble
// Arabic), and so are Han, kana, Hangul and Bopomofo.
bool AllowedForLatinFold(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(c, &status);
  if (U_FAILURE(status)) return false;
  switch (script) {
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
    case USCRIPT_CYRILLIC:
    case USCRIPT_ARMENIAN:
    case USCRIPT_CHEROKEE:
    case USCRIPT_COPTIC:
    case USCRIPT_LISU:
    case USCRIPT_CANADIAN_ABORIGINAL:
      return true;
    default:
      return false;
  }
}

// Reads OpenCC's TSCharacters.ocd2: traditional character → its default simplified form.
Result<std::unordered_map<char32_t, std::u32string>> LoadTraditionalToSimplified(
    const std::string& dir) {
  const std::string path = dir + "/TSCharacters.ocd2";
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) {
    return FailedPrecondition("cannot open OpenCC dictionary " + path, "opencc_data_missing");
  }
  std::unordered_map<char32_t, std::u32string> out;
  try {
    opencc::MarisaDictPtr dict = opencc::MarisaDict::NewFromFile(fp);
    std::fclose(fp);
    fp = nullptr;
    for (const auto& entry : *dict->GetLexicon()) {
      auto key = DecodeUtf8String(entry->Key());
      auto value = DecodeUtf8String(entry->GetDefault());
      // Character table: single-character keys only; anything else is ignored.
      if (!key || !value || key->size() != 1 || value->empty()) continue;
      if (*value != *key) out.emplace((*key)[0], std::move(*value));
    }
  } catch (const std::exception& e) {
    if (fp != nullptr) std::fclose(fp);
    return FailedPrecondition("cannot read OpenCC dictionary " + path + ": " + e.what(),
                              "opencc_data_missing");
  }
  if (out.empty()) {
    return FailedPrecondition("OpenCC dictionary " + path + " has no character entries",
                              "opencc_data_missing");
  }
  return out;
}

std::u32string ToU32(const icu::UnicodeString& s) {
  std::u32string out;
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

// Builds the per-code-point fold. All ICU/OpenCC state lives here and dies with Create().
class TableBuilder {
 public:
  explicit TableBuilder(const NormalizerOptions& o) : o_(o) {}

  ~TableBuilder() {
    if (spoof_ != nullptr) uspoof_close(spoof_);
  }

  Status Init() {
    UErrorCode status = U_ZERO_ERROR;
    nfkc_cf_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) return Internal("ICU NFKC_Casefold unavailable", "icu_error");
    nfd_ = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) return Internal("ICU NFD unavailable", "icu_error");
    if (o_.traditional_to_simplified) {
      const std::string dir =
          o_.opencc_data_dir.empty() ? std::string(HERALD_OPENCC_DATA_DIR) : o_.opencc_data_dir;
      HERALD_ASSIGN_OR_RETURN(t2s_, LoadTraditionalToSimplified(dir));
    }
    if (o_.fold_lookalikes) {
      spoof_ = uspoof_open(&status);
      if (U_FAILURE(status)) return Internal("ICU spoof checker unavailable", "icu_error");
      // Skeletons of ASCII letters and digits; lower case wins over upper case over digits
      // when several share a skeleton (l, I and 1 all look like "l").
      for (const char* set :
           {"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"}) {
        for (const char* p = set; *p; ++p) {
          auto skel = Skeleton(static_cast<unsigned char>(*p));
          if (skel) ascii_by_skeleton_.emplace(std::move(*skel), static_cast<char32_t>(*p));
        }
      }
    }
    if (o_.fold_cjk_lookalikes) {
      for (const auto& [from, to] : kCjkLookalikes) cjk_.emplace(from, to);
    }
    return Status::Ok();
  }

  // The full fold of `cp`: Step applied until nothing changes (bounded; the tables converge in
  // two or three rounds), so the fold is idempotent.
  std::u32string Fold(char32_t cp) {
    std::u32string cur = Step(cp);
    for (int round = 0; round < 8; ++round) {
      std::u32string next;
      for (char32_t c : cur) next += Step(c);
      if (next == cur) break;
      cur = std::move(next);
    }
    return cur;
  }

 private:
  // One round: NFKC_Casefold, then per resulting code point one of drop / t2s / Latin
  // look-alike / CJK look-alike.
  std::u32string Step(char32_t cp) {
    const UChar32 c = static_cast<UChar32>(cp);
    std::u32string seq;
    if (o_.nfkc_casefold && !nfkc_cf_->isInert(c)) {
      UErrorCode status = U_ZERO_ERROR;
      icu::UnicodeString folded = nfkc_cf_->normalize(icu::UnicodeString(c), status);
      seq = U_SUCCESS(status) ? ToU32(folded) : std::u32string(1, cp);
    } else {
      seq.assign(1, cp);
    }
    std::u32string out;
    for (char32_t d : seq) {
      if (o_.drop_noise && IsNoise(static_cast<UChar32>(d))) continue;
      if (o_.traditional_to_simplified) {
        if (auto it = t2s_.find(d); it != t2s_.end()) {
          out += it->second;
          continue;
        }
      }
      if (o_.fold_lookalikes) {
        if (auto ascii = LatinLookalike(d)) {
          out.push_back(*ascii);
          continue;
        }
      }
      if (o_.fold_cjk_lookalikes) {
        if (auto it = cjk_.find(d); it != cjk_.end()) {
          out.push_back(it->second);
          continue;
        }
      }
      out.push_back(d);
    }
    return out;
  }

  std::optional<char32_t> LatinLookalike(char32_t d) {
    if (d < 0x80) return std::nullopt;
    const UChar32 c = static_cast<UChar32>(d);
    if ((U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK)) == 0) return std::nullopt;
    if (!AllowedForLatinFold(c)) return std::nullopt;
    if (auto hit = LookupSkeleton(c)) return hit;
    // Case folding loses the shape of capitals: lower-case т and в look like nothing Latin,
    // but Т and В look like T and B. Fold the lower case like its capital so that "Т" and "т"
    // agree once case is folded.
    if (o_.nfkc_casefold) {
      UChar32 upper = u_toupper(c);
      if (upper != c) return LookupSkeleton(upper);
    }
    return std::nullopt;
  }

  std::optional<char32_t> LookupSkeleton(UChar32 c) {
    auto skel = Skeleton(c);
    if (!skel) return std::nullopt;
    auto it = ascii_by_skeleton_.find(*skel);
    if (it == ascii_by_skeleton_.end()) return std::nullopt;
    return it->second;
  }

  // The UTS #39 skeleton of one code point with combining marks removed (so é and e agree).
  std::optional<std::u32string> Skeleton(UChar32 c) {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString skel;
    uspoof_getSkeletonUnicodeString(spoof_, 0, icu::UnicodeString(c), skel, &status);
    if (U_FAILURE(status)) return std::nullopt;
    icu::UnicodeString decomposed = nfd_->normalize(skel, status);
    if (U_FAILURE(status)) return std::nullopt;
    std::u32string out;
    for (char32_t x : ToU32(decomposed)) {
      if ((U_GET_GC_MASK(static_cast<UChar32>(x)) & (U_GC_MN_MASK | U_GC_ME_MASK)) == 0) {
        out.push_back(x);
      }
    }
    if (out.empty()) return std::nullopt;
    return out;
  }

  const NormalizerOptions& o_;
  const icu::Normalizer2* nfkc_cf_ = nullptr;
  const icu::Normalizer2* nfd_ = nullptr;
  USpoofChecker* spoof_ = nullptr;
  std::unordered_map<char32_t, std::u32string> t2s_;
  std::map<std::u32string, char32_t> ascii_by_skeleton_;
  std::unordered_map<char32_t, char32_t> cjk_;
};

}  // namespace

std::pair<size_t, size_t> MapSpan(const Normalized& n, size_t norm_begin, size_t norm_end) {
  const size_t size = n.text.size();
  if (size == 0 || n.start.size() != size || n.end.size() != size) return {0, 0};
  norm_begin = std::min(norm_begin, size);
  norm_end = std::min(std::max(norm_end, norm_begin), size);
  if (norm_begin == norm_end) {
    const size_t at = norm_begin < size ? n.start[norm_begin] : n.end[size - 1];
    return {at, at};
  }
  return {n.start[norm_begin], n.end[norm_end - 1]};
}

Result<std::unique_ptr<Normalizer>> Normalizer::Create(const NormalizerOptions& options) {
  std::unique_ptr<Normalizer> n(new Normalizer());
  n->options_ = options;
  TableBuilder builder(n->options_);
  HERALD_RETURN_IF_ERROR(builder.Init());

  std::unordered_map<std::string, uint32_t> pool_index;  // replacement → pool offset
  std::map<std::vector<uint32_t>, uint16_t> block_index;
  n->stage1_.resize(kBlockCount);
  std::vector<uint32_t> block(256);
  std::string utf8;
  for (size_t b = 0; b < kBlockCount; ++b) {
    for (size_t k = 0; k < 256; ++k) {
      const char32_t cp = static_cast<char32_t>((b << 8) | k);
      if (cp >= 0xD800 && cp <= 0xDFFF) {  // never produced by the decoder
        block[k] = kIdentity;
        continue;
      }
      std::u32string folded = builder.Fold(cp);
      if (folded.size() == 1 && folded[0] == cp) {
        block[k] = kIdentity;
        continue;
      }
      utf8 = EncodeUtf8(folded);
      if (utf8.size() > 0xFF) return Internal("fold of a code point longer than 255 bytes");
      auto [it, inserted] = pool_index.emplace(utf8, static_cast<uint32_t>(n->pool_.size()));
      if (inserted) n->pool_ += utf8;
      block[k] = (static_cast<uint32_t>(utf8.size()) << 24) | it->second;
    }
    auto [it, inserted] =
        block_index.emplace(block, static_cast<uint16_t>(n->blocks_.size() / 256));
    if (inserted) n->blocks_.insert(n->blocks_.end(), block.begin(), block.end());
    n->stage1_[b] = it->second;
  }
  if (n->pool_.size() >= (1u << 24)) return Internal("fold table pool too large");
  n->pool_.append(kPoolPadding, '\0');  // Run copies folds 4 bytes at a time
  n->bmp_identity_.assign(0x10000 / 64, 0);
  for (char32_t cp = 0; cp < 0x10000; ++cp) {
    if (n->Entry(cp) == kIdentity) n->bmp_identity_[cp >> 6] |= uint64_t{1} << (cp & 63);
  }
  return n;
}

std::string Normalizer::FoldCodePoint(char32_t cp) const {
  std::string out;
  if (cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) return out;
  const uint32_t e = Entry(cp);
  if (e == kIdentity) {
    AppendUtf8(cp, &out);
  } else {
    out.assign(pool_, e & 0xFFFFFF, e >> 24);
  }
  return out;
}

template <bool kWithOffsets>
Status Normalizer::Run(std::string_view in, std::string* text, std::vector<uint32_t>* start,
                       std::vector<uint32_t>* end) const {
  if (in.size() >= std::numeric_limits<uint32_t>::max()) {
    return InvalidArgument("text too large to normalise", "text_too_large");
  }
  // The hot loop of screening (docs/benchmarks.md). Output goes through raw pointers into
  // buffers sized up front with kSlack bytes to spare, so a fold of up to 4 bytes (every fold
  // but a few compatibility expansions) is stored with fixed-size copies that may write past the
  // fold's end; the buffers grow (rarely: only expansions make text longer) when a fold would
  // not leave that slack. Every table and buffer pointer lives in a local: stores through char*
  // may alias anything, and reloading the vectors' data pointers after each store was a
  // measurable cost.
  constexpr size_t kSlack = 8;
  const size_t n = in.size();
  size_t cap = n + 2 * kSlack;
  text->resize(cap);
  if constexpr (kWithOffsets) {
    start->resize(cap);
    end->resize(cap);
  }
  char* out = text->data();
  uint32_t* so = kWithOffsets ? start->data() : nullptr;
  uint32_t* eo = kWithOffsets ? end->data() : nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const char* pool = pool_.data();  // padded with kPoolPadding zero bytes (Create)
  const uint16_t* stage1 = stage1_.data();
  const uint32_t* blocks = blocks_.data();
  const uint64_t* bmp_identity = bmp_identity_.data();
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    // Decode one code point: ASCII and 3-byte sequences (all of CJK) inline, the rest through
    // the general validating decoder.
    char32_t cp;
    size_t len;
    const unsigned c = p[i];
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xF0) == 0xE0 && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 &&
               (p[i + 2] & 0xC0) == 0x80) {
      cp = (char32_t(c & 0x0F) << 12) | (char32_t(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return InvalidArgument("text is not valid UTF-8", "invalid_utf8");
      }
      len = 3;
    } else {
      len = DecodeUtf8(in, i, &cp);
      if (len == 0) return InvalidArgument("text is not valid UTF-8", "invalid_utf8");
    }
    // Most code points of real text are left alone: one L1-resident bit answers that before
    // the two dependent loads of the full table.
    const uint32_t e = (cp < 0x10000 && ((bmp_identity[cp >> 6] >> (cp & 63)) & 1))
                           ? kIdentity
                           : blocks[(static_cast<size_t>(stage1[cp >> 8]) << 8) | (cp & 0xFF)];
    const char* src;
    size_t out_len;
    if (e == kIdentity) {
      src = in.data() + i;
      out_len = len;
    } else {
      src = pool + (e & 0xFFFFFF);
      out_len = e >> 24;
    }
    if (o + out_len + kSlack > cap) {
      cap = std::max(cap * 2, o + out_len + kSlack);
      text->resize(cap);
      out = text->data();
      if constexpr (kWithOffsets) {
        start->resize(cap);
        end->resize(cap);
        so = start->data();
        eo = end->data();
      }
    }
    // 4 bytes can be read from src when it is in the (padded) pool or not at the input's end.
    if (out_len <= 4 && (e != kIdentity || i + 4 <= n)) {
      std::memcpy(out + o, src, 4);
    } else {
      std::memcpy(out + o, src, out_len);
    }
    if constexpr (kWithOffsets) {
      const auto b = static_cast<uint32_t>(i);
      const auto f = static_cast<uint32_t>(i + len);
      if (out_len <= 4) {
        so[o] = b;
        so[o + 1] = b;
        so[o + 2] = b;
        so[o + 3] = b;
        eo[o] = f;
        eo[o + 1] = f;
        eo[o + 2] = f;
        eo[o + 3] = f;
      } else {
        for (size_t k = 0; k < out_len; ++k) {
          so[o + k] = b;
          eo[o + k] = f;
        }
      }
    }
    o += out_len;
    i += len;
  }
  text->resize(o);
  if constexpr (kWithOffsets) {
    start->resize(o);
    end->resize(o);
  }
  return Status::Ok();
}

Result<Normalized> Normalizer::Normalize(std::string_view utf8) const {
  Normalized out;
  HERALD_RETURN_IF_ERROR(Run<true>(utf8, &out.text, &out.start, &out.end));
  return out;
}

Result<std::string> Normalizer::Fold(std::string_view utf8) const {
  std::string out;
  HERALD_RETURN_IF_ERROR(Run<false>(utf8, &out, nullptr, nullptr));
  return out;
}

}  // namespace herald::text
