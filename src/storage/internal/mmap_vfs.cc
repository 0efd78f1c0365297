#include "storage/internal/mmap_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

namespace herald::storage::internal {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

// One map per database file (device and inode) in the process, shared by its connections.
struct Mapping {
  dev_t dev = 0;
  ino_t ino = 0;
  int fd = -1;
  const char* base = nullptr;
  int64_t reserved = 0;          // bytes of address space mapped; the file may grow into them
  std::atomic<int64_t> size{0};  // bytes known to exist in the file
  int refs = 0;                  // open files of this VFS on it
  std::vector<int> extra_fds;    // descriptors that found it mapped (a race), closed with fd
};

std::mutex g_mu;
std::vector<Mapping*>* g_maps = new std::vector<Mapping*>();  // never destroyed: see Release
sqlite3_vfs* g_unix = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

// Re-reads the file size; never raises it past the mapped range.
void RefreshSize(Mapping& m) {
  struct stat st;
  if (fstat(m.fd, &st) == 0) m.size.store(std::min<int64_t>(st.st_size, m.reserved));
}

Mapping* Find(const struct stat& st) {
  for (Mapping* m : *g_maps) {
    if (m->dev == st.st_dev && m->ino == st.st_ino) return m;
  }
  return nullptr;
}

Mapping* Acquire(const char* path) {
  std::lock_guard<std::mutex> lock(g_mu);
  struct stat st;
  if (stat(path, &st) != 0) return nullptr;
  // Usually the file is mapped already (the pool's other connections): no descriptor needed.
  if (Mapping* m = Find(st)) {
    ++m->refs;
    return m;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  // Closing the descriptor could drop locks other connections hold on the file: it is left
  // open in this (practically impossible) case rather than risk that.
  if (fstat(fd, &st) != 0) return nullptr;
  if (Mapping* m = Find(st)) {
    // The path now names a mapped file (replaced since the stat): this descriptor is closed
    // with the mapping's, when no connection of the process is left on the file.
    m->extra_fds.push_back(fd);
    ++m->refs;
    return m;
  }
  auto* m = new Mapping;
  m->dev = st.st_dev;
  m->ino = st.st_ino;
  m->fd = fd;
  // Room to grow: twice the file and at least 16 GiB of address space (file-backed and shared,
  // so no memory is reserved; pages beyond the file are never touched).
  m->reserved = std::max<int64_t>(16 * kGiB, (st.st_size * 2 + kGiB - 1) / kGiB * kGiB);
  void* p =
      mmap(nullptr, static_cast<size_t>(m->reserved), PROT_READ, MAP_SHARED | MAP_NORESERVE, fd, 0);
  if (p == MAP_FAILED) {
    m->base = nullptr;
    m->reserved = 0;
  } else {
    m->base = static_cast<const char*>(p);
  }
  m->size.store(std::min<int64_t>(st.st_size, m->reserved));
  m->refs = 1;
  g_maps->push_back(m);
  return m;
}

void Release(Mapping* m) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (--m->refs > 0) return;
  // The last connection of the process on this file has closed: no lock of ours is left to
  // lose by closing the descriptor.
  if (m->base != nullptr) munmap(const_cast<char*>(m->base), static_cast<size_t>(m->reserved));
  close(m->fd);
  for (int fd : m->extra_fds) close(fd);
  g_maps->erase(std::find(g_maps->begin(), g_maps->end(), m));
  delete m;
}

// The file as SQLite sees it: our header, then the unix VFS's file.
struct File {
  sqlite3_file base;
  Mapping* map;
  const volatile void* shm0;  // the first region of the WAL index, once mapped
  uint32_t read_marks;        // bit 3 + i: a shared lock on WAL read mark i is held
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

File* Cast(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

int Close(sqlite3_file* f) {
  File* file = Cast(f);
  int rc = file->real()->pMethods->xClose(file->real());
  if (file->map != nullptr) Release(file->map);
  file->map = nullptr;
  return rc;
}

int Read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  File* file = Cast(f);
  Mapping* m = file->map;
  if (m != nullptr && m->base != nullptr && offset >= 0 &&
      offset + amount <= m->size.load(std::memory_order_relaxed)) {
    std::memcpy(out, m->base + offset, static_cast<size_t>(amount));
    return SQLITE_OK;
  }
  return file->real()->pMethods->xRead(file->real(), out, amount, offset);
}

int Write(sqlite3_file* f, const void* in, int amount, sqlite3_int64 offset) {
  File* file = Cast(f);
  return file->real()->pMethods->xWrite(file->real(), in, amount, offset);
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  File* file = Cast(f);
  if (file->map != nullptr) {
    // Lower the served range before the bytes go away.
    int64_t cur = file->map->size.load();
    while (size < cur && !file->map->size.compare_exchange_weak(cur, size)) {
    }
  }
  int rc = file->real()->pMethods->xTruncate(file->real(), size);
  if (file->map != nullptr) RefreshSize(*file->map);
  return rc;
}

int Sync(sqlite3_file* f, int flags) {
  return Cast(f)->real()->pMethods->xSync(Cast(f)->real(), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Cast(f)->real()->pMethods->xFileSize(Cast(f)->real(), size);
}
int Lock(sqlite3_file* f, int level) {
  return Cast(f)->real()->pMethods->xLock(Cast(f)->real(), level);
}
int Unlock(sqlite3_file* f, int level) {
  return Cast(f)->real()->pMethods->xUnlock(Cast(f)->real(), level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Cast(f)->real()->pMethods->xCheckReservedLock(Cast(f)->real(), out);
}

int FileControl(sqlite3_file* f, int op, void* arg) {
  File* file = Cast(f);
  // The unix VFS would make a map of its own (capped at 2 GiB) for fetches this VFS serves.
  if (op == SQLITE_FCNTL_MMAP_SIZE && file->map != nullptr) return SQLITE_OK;
  return file->real()->pMethods->xFileControl(file->real(), op, arg);
}
int SectorSize(sqlite3_file* f) { return Cast(f)->real()->pMethods->xSectorSize(Cast(f)->real()); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Cast(f)->real()->pMethods->xDeviceCharacteristics(Cast(f)->real());
}
// The unix VFS gives some files methods without shared memory or fetches (a null pointer or an
// older iVersion): those answers are passed on as the missing method's.
const sqlite3_io_methods& Real(sqlite3_file* f) { return *Cast(f)->real()->pMethods; }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  if (Real(f).iVersion < 2 || Real(f).xShmMap == nullptr) return SQLITE_IOERR_SHMMAP;
  int rc = Real(f).xShmMap(Cast(f)->real(), region, size, extend, out);
  if (rc == SQLITE_OK && region == 0 && *out != nullptr) Cast(f)->shm0 = *out;
  return rc;
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if (Real(f).iVersion < 2 || Real(f).xShmLock == nullptr) return SQLITE_IOERR_SHMLOCK;
  int rc = Real(f).xShmLock(Cast(f)->real(), offset, n, flags);
  // The WAL-index lock slots (walformat.html, "WAL-Index Locks"): 0 write, 1 checkpoint,
  // 2 recovery, 3 + i read mark i (i < 5).
  if (rc == SQLITE_OK && (flags & SQLITE_SHM_SHARED) != 0) {
    for (int slot = std::max(offset, 3); slot < offset + n && slot < 8; ++slot) {
      if ((flags & SQLITE_SHM_LOCK) != 0) {
        Cast(f)->read_marks |= 1u << slot;
      } else {
        Cast(f)->read_marks &= ~(1u << slot);
      }
    }
  }
  return rc;
}
void ShmBarrier(sqlite3_file* f) {
  if (Real(f).iVersion >= 2 && Real(f).xShmBarrier != nullptr) {
    Real(f).xShmBarrier(Cast(f)->real());
  }
}
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  Cast(f)->shm0 = nullptr;
  Cast(f)->read_marks = 0;
  if (Real(f).iVersion < 2 || Real(f).xShmUnmap == nullptr) return SQLITE_OK;
  return Real(f).xShmUnmap(Cast(f)->real(), delete_flag);
}

int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  File* file = Cast(f);
  *out = nullptr;
  Mapping* m = file->map;
  if (m == nullptr) {
    if (Real(f).iVersion < 3 || Real(f).xFetch == nullptr) return SQLITE_OK;  // SQLite reads
    return Real(f).xFetch(file->real(), offset, amount, out);
  }
  if (m->base == nullptr || offset < 0) return SQLITE_OK;  // SQLite reads the page instead
  if (offset + amount > m->size.load(std::memory_order_relaxed)) {
    RefreshSize(*m);  // the file grew (a page written since)
    if (offset + amount > m->size.load()) return SQLITE_OK;
  }
  *out = const_cast<char*>(m->base) + offset;
  return SQLITE_OK;
}

int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  File* file = Cast(f);
  // The map stays until the file's last connection closes; nothing to release per page.
  if (file->map != nullptr || Real(f).iVersion < 3 || Real(f).xUnfetch == nullptr) {
    return SQLITE_OK;
  }
  return Real(f).xUnfetch(file->real(), offset, page);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = Cast(f);
  file->map = nullptr;
  file->shm0 = nullptr;
  file->read_marks = 0;
  file->base.pMethods = nullptr;
  int rc = g_unix->xOpen(g_unix, name, file->real(), flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  // Every file gets the wrapper (SQLite closes what it opened through the same methods); only
  // main databases with a name are mapped.
  file->base.pMethods = &g_methods;
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0 && name != nullptr &&
      file->real()->pMethods->iVersion >= 3) {
    file->map = Acquire(name);
  }
  return SQLITE_OK;
}

// The database file of `db` when it is on this VFS.
File* MainFile(sqlite3* db) {
  sqlite3_file* f = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
      f == nullptr || f->pMethods != &g_methods) {
    return nullptr;
  }
  return Cast(f);
}

// The WAL index as 32-bit words (walformat.html): the header's first copy (0-11; mxFrame is 4),
// its second copy (12-23), then the checkpoint information: nBackfill (24) and the read marks
// (25 + i).
constexpr int kMxFrame = 4;
constexpr int kNBackfill = 24;
constexpr int kReadMark0 = 25;

}  // namespace

bool ReadLockIsCurrent(sqlite3* db) {
  File* f = MainFile(db);
  if (f == nullptr || f->shm0 == nullptr) return false;
  const auto* words = static_cast<const volatile uint32_t*>(f->shm0);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const uint32_t mx = words[kMxFrame];
  const bool backfilled = words[kNBackfill] == mx;
  for (int mark = 1; mark < 5; ++mark) {
    if ((f->read_marks & (1u << (3 + mark))) == 0) continue;
    if (backfilled || words[kReadMark0 + mark] != mx) return false;
  }
  return true;
}

bool ReadWalState(sqlite3* db, WalState* out) {
  File* f = MainFile(db);
  if (f == nullptr) return false;
  const auto* words = static_cast<const volatile uint32_t*>(f->shm0);
  if (words == nullptr) return false;
  // As SQLite's own readers do (walShmBarrier) before they look at the header.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (int i = 0; i < 12; ++i) out->words[i] = words[i];  // the header's first copy
  return true;
}

const char* RegisterMmapVfs() {
  static std::once_flag once;
  static const char* name = nullptr;
  std::call_once(once, [] {
    g_unix = sqlite3_vfs_find("unix");
    if (g_unix == nullptr) return;
    g_vfs = *g_unix;
    g_vfs.zName = "herald-mmap";
    g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_unix->szOsFile;
    g_vfs.xOpen = Open;
    g_vfs.pNext = nullptr;
    g_methods = sqlite3_io_methods{3,
                                   Close,
                                   Read,
                                   Write,
                                   Truncate,
                                   Sync,
                                   FileSize,
                                   Lock,
                                   Unlock,
                                   CheckReservedLock,
                                   FileControl,
                                   SectorSize,
                                   DeviceCharacteristics,
                                   ShmMap,
                                   ShmLock,
                                   ShmBarrier,
                                   ShmUnmap,
                                   Fetch,
                                   Unfetch};
    if (sqlite3_vfs_register(&g_vfs, /*makeDflt=*/1) == SQLITE_OK) name = g_vfs.zName;
  });
  return name;
}

}  // namespace herald::storage::internal
