#include "media/media_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "core/crypto.h"

namespace herald::media {

namespace {

struct MediaType {
  std::string_view extension;
  std::string_view mime;
};
constexpr MediaType kTypes[] = {
    {"jpg", "image/jpeg"}, {"png", "image/png"}, {"webp", "image/webp"}, {"gif", "image/gif"}};

Status IoError(std::string_view what, const std::string& path, int err) {
  return Internal(std::string(what) + " " + path + ": " + std::generic_category().message(err),
                  "media_io_error");
}

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int Get() const { return fd_; }
  // Closes now, reporting the error close() returns (it may carry a failed delayed write).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.Get() < 0) return IoError("cannot open", dir, errno);
  if (::fsync(fd.Get()) != 0) return IoError("cannot sync", dir, errno);
  return Status::Ok();
}

bool IsRegularFile(const std::string& path, size_t* size = nullptr) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (size != nullptr) *size = static_cast<size_t>(st.st_size);
  return true;
}

// A name for a temporary file no other writer (thread or process) picks at the same time.
std::string TempName(const std::string& dir, const std::string& id) {
  static std::atomic<uint64_t> counter{0};
  return dir + "/.tmp-" + id + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

}  // namespace

bool MediaStore::IsValidId(std::string_view id) {
  if (id.size() != 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<MediaStore> MediaStore::Open(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) {
    return FailedPrecondition("the media directory is not configured", "media_root_unusable");
  }
  std::error_code ec;
  const bool created = std::filesystem::create_directories(root, ec);
  if (ec || !std::filesystem::is_directory(root, ec)) {
    return FailedPrecondition(
        "cannot create the media directory " + root + (ec ? ": " + ec.message() : std::string()),
        "media_root_unusable");
  }
  if (created) ::chmod(root.c_str(), 0750);
  return MediaStore(std::move(root));
}

Result<StoredMedia> MediaStore::Put(std::string_view bytes, const ImageInfo& info) {
  const MediaType* type = nullptr;
  for (const MediaType& t : kTypes) {
    if (t.extension == info.extension && t.mime == info.mime) type = &t;
  }
  if (type == nullptr) {
    return InvalidArgument("only JPEG, PNG, WebP and GIF images can be stored",
                           "unsupported_media_type", "file");
  }
  StoredMedia media;
  media.id = crypto::Sha256Hex(bytes);
  media.mime = std::string(type->mime);
  media.extension = std::string(type->extension);
  media.size = bytes.size();
  const std::string dir = root_ + "/" + media.id.substr(0, 2);
  media.path = dir + "/" + media.id + "." + media.extension;

  size_t existing = 0;
  if (IsRegularFile(media.path, &existing) && existing == bytes.size()) return media;

  bool dir_created = false;
  if (::mkdir(dir.c_str(), 0750) == 0) {
    dir_created = true;
  } else if (errno != EEXIST) {
    return IoError("cannot create", dir, errno);
  }

  const std::string temp = TempName(dir, media.id);
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (fd.Get() < 0) return IoError("cannot create", temp, errno);
  Status written = WriteAll(fd.Get(), bytes, temp);
  if (written.ok() && ::fsync(fd.Get()) != 0) written = IoError("cannot sync", temp, errno);
  if (fd.Close() != 0 && written.ok()) written = IoError("cannot close", temp, errno);
  if (written.ok() && ::rename(temp.c_str(), media.path.c_str()) != 0) {
    written = IoError("cannot rename to", media.path, errno);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  HERALD_RETURN_IF_ERROR(SyncDirectory(dir));
  if (dir_created) HERALD_RETURN_IF_ERROR(SyncDirectory(root_));
  media.created = true;
  return media;
}

Result<std::string> MediaStore::PathOf(std::string_view id) const {
  if (!IsValidId(id)) {
    return InvalidArgument("a media id is 64 lower-case hex digits", "invalid_media_id", "id");
  }
  const std::string stem = root_ + "/" + std::string(id.substr(0, 2)) + "/" + std::string(id);
  for (const MediaType& t : kTypes) {
    std::string path = stem + "." + std::string(t.extension);
    if (IsRegularFile(path)) return path;
  }
  return NotFound("no media with this id", "media_not_found");
}

Result<std::string> MediaStore::Read(std::string_view id) const {
  HERALD_ASSIGN_OR_RETURN(const std::string path, PathOf(id));
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.Get() < 0) {
    if (errno == ENOENT) return NotFound("no media with this id", "media_not_found");
    return IoError("cannot open", path, errno);
  }
  struct stat st;
  if (::fstat(fd.Get(), &st) != 0) return IoError("cannot stat", path, errno);
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.Get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path, errno);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace herald::media
