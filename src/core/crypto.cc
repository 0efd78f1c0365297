#include "core/crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace herald::crypto {

void EnsureInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing safe to do
  });
}

std::string Sha256(std::string_view data) {
  EnsureInitialized();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

std::string HexEncode(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string r(hex.size() / 2, '\0');
  for (size_t i = 0; i < r.size(); ++i) {
    int hi = val(hex[2 * i]), lo = val(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    r[i] = static_cast<char>(hi << 4 | lo);
  }
  *out = std::move(r);
  return true;
}

std::string Base64UrlEncode(std::string_view bytes) {
  EnsureInitialized();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> HashPassword(std::string_view password, PasswordHashProfile profile) {
  EnsureInitialized();
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (profile == PasswordHashProfile::kModerate) {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (profile == PasswordHashProfile::kMinimum) {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory", "password_hash_failed");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
  EnsureInitialized();
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  std::string z(encoded);  // needs NUL termination
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

std::string Seal(std::string_view key, std::string_view plaintext, std::string_view associated) {
  EnsureInitialized();
  const size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(nonce_len + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, nonce_len);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      o + nonce_len, &clen, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated.data()),
      associated.size(), nullptr, o, reinterpret_cast<const unsigned char*>(key.data()));
  out.resize(nonce_len + clen);
  return out;
}

Result<std::string> Open(std::string_view key, std::string_view sealed,
                         std::string_view associated) {
  EnsureInitialized();
  const size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const size_t tag_len = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (key.size() != kKeyBytes || sealed.size() < nonce_len + tag_len) {
    return InvalidArgument("ciphertext too short or bad key", "decrypt_failed");
  }
  std::string out(sealed.size() - nonce_len - tag_len, '\0');
  unsigned long long mlen = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr, s + nonce_len,
          sealed.size() - nonce_len, reinterpret_cast<const unsigned char*>(associated.data()),
          associated.size(), s, reinterpret_cast<const unsigned char*>(key.data())) != 0) {
    return InvalidArgument("ciphertext failed authentication", "decrypt_failed");
  }
  out.resize(mlen);
  return out;
}

std::string BlindIndex(std::string_view key, std::string_view domain, std::string_view value) {
  EnsureInitialized();
  crypto_generichash_state st;
  crypto_generichash_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size(), 32);
  std::string d(domain);
  d.push_back('\0');
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(d.data()), d.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return HexEncode(std::string_view(reinterpret_cast<char*>(out), sizeof out));
}

std::string DeriveKey(std::string_view master, uint64_t subkey_id, std::string_view purpose) {
  EnsureInitialized();
  char ctx[crypto_kdf_CONTEXTBYTES] = {0};
  std::memcpy(ctx, purpose.data(), std::min(purpose.size(), sizeof ctx));
  std::string out(kKeyBytes, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(out.data()), out.size(), subkey_id,
                             ctx, reinterpret_cast<const unsigned char*>(master.data()));
  return out;
}

Result<std::string> LoadOrCreateKeyFile(const std::string& path) {
  namespace fs = std::filesystem;
  EnsureInitialized();
  std::error_code ec;
  fs::path p(path);
  if (!fs::exists(p, ec)) {
    if (p.has_parent_path()) {
      fs::create_directories(p.parent_path(), ec);
      if (ec) return Unavailable("cannot create key directory: " + ec.message(), "key_file");
      ::chmod(p.parent_path().c_str(), 0700);
    }
    std::string key(kKeyBytes, '\0');
    randombytes_buf(key.data(), key.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return Unavailable("cannot create key file " + path, "key_file");
    bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) return Unavailable("cannot write key file " + path, "key_file");
    return key;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Unavailable("cannot stat key file", "key_file");
  if ((st.st_mode & 0077) != 0) {
    return FailedPrecondition("key file " + path + " must have mode 0600", "key_file");
  }
  std::ifstream in(path, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() != kKeyBytes) {
    return FailedPrecondition("key file " + path + " must hold exactly 32 bytes", "key_file");
  }
  return key;
}

}  // namespace herald::crypto
