// MediaStore: content-addressed storage of validated images on the local file system.
//
// A file is stored once under the SHA-256 of its bytes, which is also its public id:
//   <root>/<first 2 hex digits of the id>/<id>.<extension>      e.g. <data>/media/3f/3fa9...e1.png
// Writes are atomic (a temporary file in the same directory, fsync, rename, fsync of the
// directory): a reader sees either no file or the whole file, and a crash leaves at most a
// stray ".tmp-*" file behind. Storing the same bytes twice is a no-op. Files are never changed
// after they are written; deleting is not offered yet.
//
// Ids are untrusted input: anything but 64 lower-case hex digits is refused before it comes
// near the file system, so no id can name a path outside the root.
//
// Thread-safe, and safe for several processes sharing one root: it keeps no mutable state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "media/image.h"

namespace herald::media {

struct StoredMedia {
  std::string id;         // lower-case hex SHA-256 of the bytes
  std::string mime;       // from the ImageInfo given to Put
  std::string extension;  // "jpg", "png", "webp" or "gif"
  size_t size = 0;        // bytes
  std::string path;       // where the file is
  bool created = false;   // true when this Put wrote the file, false when it was already there
};

class MediaStore {
 public:
  // Opens the store rooted at `root`, creating the directory (mode 0750, parents as needed)
  // when missing. FailedPrecondition ("media_root_unusable") when it cannot be created or is
  // not a directory: a configuration error, for start-up to report.
  static Result<MediaStore> Open(std::string root);

  const std::string& root() const { return root_; }

  // Stores `bytes`, which the caller has checked with InspectImage; `info` is what that returned
  // (only its mime and extension are used). Returns the stored file's description; when a file
  // with this id exists already, returns it with created == false and writes nothing.
  // InvalidArgument ("unsupported_media_type", field "file") when info's extension and mime are
  // not one of the four image types; Internal ("media_io_error") when the file system fails.
  Result<StoredMedia> Put(std::string_view bytes, const ImageInfo& info);

  // The bytes of the file with this id. InvalidArgument ("invalid_media_id", field "id") for an
  // id that is not 64 lower-case hex digits; NotFound ("media_not_found") when no such file is
  // stored; Internal ("media_io_error") when it cannot be read.
  Result<std::string> Read(std::string_view id) const;

  // The path of the file with this id, for serving it directly. Errors as for Read.
  Result<std::string> PathOf(std::string_view id) const;

  // True when `id` has the shape of an id: exactly 64 characters 0-9 a-f.
  static bool IsValidId(std::string_view id);

 private:
  explicit MediaStore(std::string root) : root_(std::move(root)) {}

  std::string root_;
};

}  // namespace herald::media
