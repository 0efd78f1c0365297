// Cryptographic primitives behind Herald's own interface (libsodium stays inside core).
//
// - Sha256: audit hash chain, session token hashes.
// - Password hashing: Argon2id in libsodium's self-describing string format ($argon2id$...).
// - SecretKey / Seal / Open: XChaCha20-Poly1305 AEAD for personal data at rest.
// - BlindIndex: keyed BLAKE2b, to find equal values (phone numbers, ID numbers) without
//   decrypting them.
// All functions are thread-safe. Keys are 32 bytes held in std::string.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace herald::crypto {

// Initialises libsodium once; safe to call from any thread, any number of times.
void EnsureInitialized();

// 32-byte binary SHA-256 digest.
std::string Sha256(std::string_view data);
// Lower-case hex of SHA-256.
std::string Sha256Hex(std::string_view data);

std::string HexEncode(std::string_view bytes);
// Returns false on odd length or a non-hex character.
bool HexDecode(std::string_view hex, std::string* out);
// URL-safe base64 without padding.
std::string Base64UrlEncode(std::string_view bytes);

// Constant-time equality for secrets of equal length; false when lengths differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

enum class PasswordHashProfile {
  kInteractive,  // libsodium's INTERACTIVE limits (64 MiB, ops 2): the production default
  kModerate,     // MODERATE limits (256 MiB, ops 3)
  kMinimum,      // MIN limits; only for benchmarks seeding many users
};

// Returns an encoded Argon2id hash ("$argon2id$v=19$m=...") or Internal when out of memory.
Result<std::string> HashPassword(std::string_view password,
                                 PasswordHashProfile profile = PasswordHashProfile::kInteractive);
// True when `password` matches `encoded`. False for a mismatch or a malformed hash.
bool VerifyPassword(std::string_view encoded, std::string_view password);

constexpr size_t kKeyBytes = 32;

// AEAD seal with a fresh random nonce; the output is nonce || ciphertext || tag.
// `associated` binds the ciphertext to its context (e.g. "users.phone").
std::string Seal(std::string_view key, std::string_view plaintext, std::string_view associated);
// Reverses Seal. Returns InvalidArgument("decrypt_failed") when the ciphertext or context was
// tampered with or the key is wrong.
Result<std::string> Open(std::string_view key, std::string_view sealed,
                         std::string_view associated);

// Keyed BLAKE2b-256 of `value` in `domain`, hex. Equal inputs give equal outputs under one key.
std::string BlindIndex(std::string_view key, std::string_view domain, std::string_view value);

// Derives a 32-byte subkey for `purpose` (e.g. "blind-index") from a master key.
std::string DeriveKey(std::string_view master, uint64_t subkey_id, std::string_view purpose);

// Reads a 32-byte key from `path`, creating it (mode 0600, parent directory 0700) with fresh
// random bytes when it does not exist. Fails with FailedPrecondition when the file exists with
// a wrong size or looser permissions than 0600.
Result<std::string> LoadOrCreateKeyFile(const std::string& path);

}  // namespace herald::crypto
