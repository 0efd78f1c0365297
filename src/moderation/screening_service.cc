#include "moderation/screening_service.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace herald::moderation {

namespace fs = std::filesystem;

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path, "dictionary_not_found");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `contents` to `path` through a temporary file and a rename, so readers (and the
// poller) never see half a file.
Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Internal("cannot write " + tmp, "dictionary_write_failed");
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) return Internal("cannot write " + tmp, "dictionary_write_failed");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Internal("cannot rename " + tmp + ": " + ec.message(), "dictionary_write_failed");
  return Status();
}

size_t CountEntries(std::string_view text) {
  size_t n = 0;
  for (auto line : Split(text, '\n')) {
    auto t = Trim(line);
    if (!t.empty() && t.front() != '#' && t != "\xEF\xBB\xBF") ++n;
  }
  return n;
}

}  // namespace

bool ScreeningService::IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string ScreeningService::PathOf(std::string_view name) const {
  return dir_ + "/" + std::string(name) + ".tsv";
}

Result<std::unique_ptr<ScreeningService>> ScreeningService::Open(
    std::string dir, std::vector<std::string> extra_files, const text::Normalizer& norm,
    const Clock& clock) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return Internal("cannot create dictionary directory " + dir + ": " + ec.message(),
                      "dictionary_write_failed");
    }
    HERALD_RETURN_IF_ERROR(WriteFileAtomically(dir + "/platform.tsv", DefaultTerms()));
  }
  std::unique_ptr<ScreeningService> s(
      new ScreeningService(std::move(dir), std::move(extra_files), norm, clock));
  std::lock_guard<std::mutex> lock(s->mu_);
  HERALD_RETURN_IF_ERROR(s->LoadLocked("", nullptr, false));
  return s;
}

std::shared_ptr<const Dictionary> ScreeningService::Current() const {
  std::lock_guard<std::mutex> lock(current_mu_);
  return current_;
}

ScreeningStatus ScreeningService::Info() const {
  std::lock_guard<std::mutex> lock(mu_);
  ScreeningStatus st;
  st.version = version_;
  st.loaded_at = loaded_at_;
  st.dictionaries = infos_;
  st.last_error = last_error_;
  st.entries = Current()->size();
  return st;
}

Result<std::vector<ScreeningService::FileState>> ScreeningService::Scan() const {
  std::vector<FileState> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    if (p.extension() != ".tsv" || !IsValidName(p.stem().string())) continue;
    out.push_back(FileState{p.string(), 0, 0});
  }
  if (ec) {
    return Internal("cannot list " + dir_ + ": " + ec.message(), "dictionary_read_failed");
  }
  std::sort(out.begin(), out.end(),
            [](const FileState& a, const FileState& b) { return a.path < b.path; });
  for (const auto& x : extra_) out.push_back(FileState{x, 0, 0});
  for (auto& f : out) {
    struct stat st {};
    if (::stat(f.path.c_str(), &st) != 0) {
      f.size = -1;  // missing: a change when it appears
      continue;
    }
    f.size = st.st_size;
    f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  }
  return out;
}

herald::Status ScreeningService::LoadLocked(std::string_view override_name,
                                            const std::string* override_text, bool remove) {
  HERALD_ASSIGN_OR_RETURN(auto scanned, Scan());
  const std::string override_path = override_name.empty() ? "" : PathOf(override_name);
  bool seen_override = false;
  std::vector<Dictionary::File> files;
  std::vector<DictionaryInfo> infos;
  for (const auto& f : scanned) {
    const bool managed = f.path.rfind(dir_ + "/", 0) == 0;
    const std::string display =
        managed ? fs::path(f.path).stem().string() : f.path;  // name, or the extra file's path
    std::string text;
    if (!override_path.empty() && f.path == override_path) {
      seen_override = true;
      if (remove) continue;
      text = *override_text;
    } else {
      HERALD_ASSIGN_OR_RETURN(text, ReadFile(f.path));
    }
    infos.push_back(
        DictionaryInfo{display, managed, CountEntries(text), static_cast<int64_t>(text.size()), 0});
    files.emplace_back(managed ? display + ".tsv" : f.path, std::move(text));
  }
  if (!override_path.empty() && !seen_override) {
    if (remove)
      return NotFound("no dictionary named " + std::string(override_name), "dictionary_not_found");
    infos.push_back(DictionaryInfo{std::string(override_name), true, CountEntries(*override_text),
                                   static_cast<int64_t>(override_text->size()), 0});
    files.emplace_back(std::string(override_name) + ".tsv", *override_text);
  }
  HERALD_ASSIGN_OR_RETURN(auto dict, Dictionary::Load(files, norm_));

  // The new set compiled: now persist the change, then swap.
  if (!override_path.empty()) {
    if (remove) {
      std::error_code ec;
      fs::remove(override_path, ec);
      if (ec) return Internal("cannot remove " + override_path, "dictionary_write_failed");
    } else {
      HERALD_RETURN_IF_ERROR(WriteFileAtomically(override_path, *override_text));
    }
    HERALD_ASSIGN_OR_RETURN(scanned, Scan());
  }
  const Micros now = clock_.Now();
  for (auto& info : infos) {
    for (const auto& f : scanned) {
      const bool managed = f.path.rfind(dir_ + "/", 0) == 0;
      if ((managed && fs::path(f.path).stem().string() == info.name && info.managed) ||
          (!managed && f.path == info.name)) {
        info.modified_at = f.mtime_ns / 1000;
      }
    }
  }
  files_ = std::move(scanned);
  infos_ = std::move(infos);
  last_error_.clear();
  ++version_;
  loaded_at_ = now;
  std::lock_guard<std::mutex> lock(current_mu_);
  current_ = std::move(dict);
  return herald::Status();
}

Result<std::string> ScreeningService::Read(std::string_view name) const {
  if (!IsValidName(name)) {
    return NotFound("no dictionary named " + std::string(name), "dictionary_not_found");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto text = ReadFile(PathOf(name));
  if (!text.ok()) {
    return NotFound("no dictionary named " + std::string(name), "dictionary_not_found");
  }
  return text;
}

herald::Status ScreeningService::Put(std::string_view name, std::string_view contents) {
  if (!IsValidName(name)) {
    return InvalidArgument("a dictionary name has 1-40 characters from a-z, 0-9, _ and -",
                           "invalid_dictionary_name", "name");
  }
  const std::string text(contents);
  std::lock_guard<std::mutex> lock(mu_);
  return LoadLocked(name, &text, false);
}

herald::Status ScreeningService::Remove(std::string_view name) {
  if (!IsValidName(name)) {
    return NotFound("no dictionary named " + std::string(name), "dictionary_not_found");
  }
  std::lock_guard<std::mutex> lock(mu_);
  return LoadLocked(name, nullptr, true);
}

herald::Status ScreeningService::AppendTerms(std::string_view name,
                                             const std::vector<std::string>& lines) {
  if (!IsValidName(name)) {
    return InvalidArgument("a dictionary name has 1-40 characters from a-z, 0-9, _ and -",
                           "invalid_dictionary_name", "name");
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string text;
  if (auto old = ReadFile(PathOf(name)); old.ok()) text = std::move(*old);
  if (!text.empty() && text.back() != '\n') text += '\n';
  for (const auto& l : lines) {
    if (l.find('\n') != std::string::npos || l.find('\r') != std::string::npos) {
      return InvalidArgument("a term line cannot contain a line break", "invalid_terms", "terms");
    }
    text += l;
    text += '\n';
  }
  return LoadLocked(name, &text, false);
}

herald::Status ScreeningService::Reload() {
  std::lock_guard<std::mutex> lock(mu_);
  herald::Status st = LoadLocked("", nullptr, false);
  if (!st.ok()) last_error_ = st.message();
  return st;
}

Result<bool> ScreeningService::PollForChanges() {
  std::lock_guard<std::mutex> lock(mu_);
  HERALD_ASSIGN_OR_RETURN(auto now, Scan());
  bool changed = now.size() != files_.size();
  for (size_t i = 0; !changed && i < now.size(); ++i) {
    changed = now[i].path != files_[i].path || now[i].size != files_[i].size ||
              now[i].mtime_ns != files_[i].mtime_ns;
  }
  if (!changed) return false;
  herald::Status st = LoadLocked("", nullptr, false);
  if (!st.ok()) {
    // Keep the old version; remember the state so a broken file is reported once per edit.
    last_error_ = st.message();
    files_ = std::move(now);
    return st;
  }
  return true;
}

}  // namespace herald::moderation
