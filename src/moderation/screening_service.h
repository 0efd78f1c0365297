// ScreeningService: the platform's live set of screening dictionaries, hot-reloaded.
//
// Dictionaries are term files (`term<TAB>category<TAB>action`, see screen.h) in one managed
// directory, `<dir>/<name>.tsv` with names of 1-40 characters from [a-z0-9_-] (e.g. platform,
// emergency, finance), plus optional read-only extra files named by configuration. All of them
// are compiled together into one Dictionary; Current() hands out the compiled version as a
// shared_ptr, so a screen in flight keeps the version it started with while a reload swaps in
// the next one: no restart and no dropped request.
//
// Changes take effect
//   - through this API (Put, Remove, AppendTerms, Reload): the new set is compiled first; when
//     any file is broken the call fails with the file and line (InvalidArgument
//     "invalid_terms", message "<file>:<line>: ...") and the old version stays in force; Put
//     and AppendTerms write the file only after the new set compiled (atomically: temporary file
//     + rename);
//   - by editing the files: PollForChanges() (called every few seconds by the server's
//     housekeeping thread) notices a changed size or modification time of any file, or a file
//     added or removed, and reloads; a broken edit is logged by the caller and the old version
//     stays in force (Info().last_error says why) until the file is fixed.
//
// When the managed directory does not exist, Open creates it and writes the built-in default
// dictionary (DefaultTerms(): gambling, fraud, drugs, pornography, weapons, illegal services) as
// `platform.tsv`, so a new platform is never unscreened; operators edit it from there.
//
// Thread-safe: Screen/Current from any thread; mutations are serialised by a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "moderation/screen.h"
#include "text/normalizer.h"

namespace herald::moderation {

// The built-in default dictionary (src/moderation/default_terms.tsv, compiled in).
std::string_view DefaultTerms();

struct DictionaryInfo {
  std::string name;     // "platform", or the path of an extra file
  bool managed = true;  // false for read-only extra files
  size_t entries = 0;
  int64_t bytes = 0;
  Micros modified_at = 0;
};

struct ScreeningStatus {
  uint64_t version = 0;  // 1 after Open, +1 per successful reload
  Micros loaded_at = 0;
  size_t entries = 0;  // of the compiled set
  std::vector<DictionaryInfo> dictionaries;
  std::string last_error;  // why the last reload from disk failed ("" when it did not)
};

class ScreeningService {
 public:
  // `norm` must use ScreeningNormalizerOptions() and outlive the service. Fails (with the file
  // and line) when the files present at start-up do not compile: a server must not start with
  // a broken dictionary.
  static Result<std::unique_ptr<ScreeningService>> Open(std::string dir,
                                                        std::vector<std::string> extra_files,
                                                        const text::Normalizer& norm,
                                                        const Clock& clock);

  std::shared_ptr<const Dictionary> Current() const;
  Result<ScreenResult> Screen(std::string_view text) const { return Current()->Screen(text); }
  ScreeningStatus Info() const;

  static bool IsValidName(std::string_view name);
  // The text of a managed dictionary. NotFound "dictionary_not_found".
  Result<std::string> Read(std::string_view name) const;
  // Creates or replaces a managed dictionary (InvalidArgument "invalid_dictionary_name").
  herald::Status Put(std::string_view name, std::string_view contents);
  // NotFound "dictionary_not_found".
  herald::Status Remove(std::string_view name);
  // Appends lines (each `term<TAB>category<TAB>action`) to a managed dictionary, creating it
  // when missing; used for emergency terms.
  herald::Status AppendTerms(std::string_view name, const std::vector<std::string>& lines);
  // Re-reads every file now.
  herald::Status Reload();
  // Reloads when a file changed since the last load; returns true when it reloaded. A failed
  // reload keeps the old version and is reported by Info().last_error (and the Status).
  Result<bool> PollForChanges();

 private:
  struct FileState {
    std::string path;
    int64_t size = 0;
    int64_t mtime_ns = 0;
  };
  ScreeningService(std::string dir, std::vector<std::string> extra, const text::Normalizer& norm,
                   const Clock& clock)
      : dir_(std::move(dir)), extra_(std::move(extra)), norm_(norm), clock_(clock) {}

  // Loads every file; `override_name`/`override_text` replace (or add, or with `remove` drop) a
  // managed file's contents without touching the disk. Requires mu_.
  herald::Status LoadLocked(std::string_view override_name, const std::string* override_text,
                            bool remove);
  Result<std::vector<FileState>> Scan() const;
  std::string PathOf(std::string_view name) const;

  const std::string dir_;
  const std::vector<std::string> extra_;
  const text::Normalizer& norm_;
  const Clock& clock_;

  mutable std::mutex mu_;  // serialises loads and file writes
  std::vector<FileState> files_;
  std::vector<DictionaryInfo> infos_;
  std::string last_error_;
  uint64_t version_ = 0;
  Micros loaded_at_ = 0;

  mutable std::mutex current_mu_;  // guards current_ only (cheap pointer copy)
  std::shared_ptr<const Dictionary> current_;
};

}  // namespace herald::moderation
