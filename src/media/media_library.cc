#include "media/media_library.h"

namespace herald::media {

Result<MediaObject> MediaLibrary::Upload(int64_t user_id, std::string_view bytes,
                                         const auth::RequestMeta& meta) {
  (void)meta;
  HERALD_ASSIGN_OR_RETURN(ImageInfo info, InspectImage(bytes, limits_));
  HERALD_ASSIGN_OR_RETURN(StoredMedia stored, store_.Put(bytes, info));
  MediaObject m;
  m.id = stored.id;
  m.mime = info.mime;
  m.width = info.width;
  m.height = info.height;
  m.size = bytes.size();
  m.dhash = info.dhash;
  m.uploaded_by = user_id;
  m.created_at = clock_.Now();
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        return tx
            .Execute(
                "INSERT INTO media_objects (id, mime, width, height, size, dhash, "
                "uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) "
                "DO NOTHING",
                {m.id, m.mime, m.width, m.height, static_cast<int64_t>(m.size),
                 static_cast<int64_t>(m.dhash), user_id, m.created_at})
            .status();
      }));
  return Get(m.id);
}

Result<MediaObject> MediaLibrary::Get(std::string_view id) const {
  if (!MediaStore::IsValidId(id))
    return InvalidArgument("not a media id", "invalid_media_id", "id");
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(storage::TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx->Query("SELECT id, mime, width, height, size, dhash, uploaded_by, "
                                    "created_at FROM media_objects WHERE id = ?",
                                    {std::string(id)}));
  if (rows.empty()) return NotFound("no such media", "media_not_found");
  const auto& r = rows.rows[0];
  MediaObject m;
  m.id = r.Text(0);
  m.mime = r.Text(1);
  m.width = r.Int(2);
  m.height = r.Int(3);
  m.size = static_cast<size_t>(r.Int(4));
  m.dhash = static_cast<uint64_t>(r.Int(5));
  m.uploaded_by = r.Int(6);
  m.created_at = r.Int(7);
  return m;
}

Result<std::string> MediaLibrary::Read(std::string_view id) const { return store_.Read(id); }

std::vector<storage::Migration> MediaLibrary::Migrations() {
  return {{"media/0001_media_objects", R"sql(
CREATE TABLE media_objects (
  id TEXT PRIMARY KEY,
  mime TEXT NOT NULL,
  width BIGINT NOT NULL,
  height BIGINT NOT NULL,
  size BIGINT NOT NULL,
  dhash BIGINT NOT NULL,
  uploaded_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL
);
)sql",
           ""}};
}

}  // namespace herald::media
