// MediaLibrary: uploaded images as records (who uploaded what, its type, size and perceptual
// hash) over the content-addressed MediaStore. Every upload is validated by decoding
// (InspectImage) before anything is stored.
//
// Upload errors: the InspectImage reasons (image_too_large, image_dimensions, image_corrupt,
// unsupported_media_type) and the store's. Get: NotFound ("media_not_found"), InvalidArgument
// ("invalid_media_id"). Thread-safe.
#pragma once

#include <string>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "media/image.h"
#include "media/media_store.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::media {

struct MediaObject {
  std::string id;  // sha256 hex of the bytes
  std::string mime;
  int64_t width = 0, height = 0;
  size_t size = 0;
  uint64_t dhash = 0;
  int64_t uploaded_by = 0;
  Micros created_at = 0;
};

class MediaLibrary {
 public:
  MediaLibrary(storage::Database& db, MediaStore& store, const Clock& clock,
               ImageLimits limits = {})
      : db_(db), store_(store), clock_(clock), limits_(limits) {}

  Result<MediaObject> Upload(int64_t user_id, std::string_view bytes,
                             const auth::RequestMeta& meta);
  Result<MediaObject> Get(std::string_view id) const;
  Result<std::string> Read(std::string_view id) const;
  const ImageLimits& limits() const { return limits_; }

  static std::vector<storage::Migration> Migrations();

 private:
  storage::Database& db_;
  MediaStore& store_;
  const Clock& clock_;
  ImageLimits limits_;
};

}  // namespace herald::media
