// The "herald-mmap" SQLite VFS: the platform's "unix" VFS, except that main database files are
// read through one shared, read-only memory map per file instead of pread.
//
// Why: SQLite maps at most SQLITE_MAX_MMAP_SIZE bytes of a database (Debian builds it with
// 2 GiB) and reads the rest with one pread per page; a platform with a million articles has a
// database of ~11 GB. The VFS maps the whole file once per process and serves SQLite's page
// fetches (xFetch, so pages are used in place; PRAGMA mmap_size > 0 turns fetches on) and reads
// (xRead, a copy) from it. Everything else -- writes, locks, the WAL and its shared memory --
// is the unix VFS's own; the VFS only notes where the shared memory is and which read locks each
// connection holds, for ReadWalState and ReadLockIsCurrent below. Writes go through pwrite, which a
// shared file mapping sees at once.
//
// Contract:
// - Bytes at or beyond the file size this process last saw are never served from the map (a
//   read there goes to the unix VFS; a fetch first re-reads the size with fstat, then declines).
//   Truncation by this process lowers that size first. Truncation by another process while
//   this one reads is the hazard SQLite documents for its own memory-mapped I/O (SIGBUS); Herald
//   never truncates a database (no VACUUM, no auto-vacuum).
// - The map needs a file descriptor of its own, and closing any descriptor of a file drops the
//   process's POSIX locks on it; so the descriptor stays open until the last connection of the
//   process on that file closes, and the VFS is registered as the process default, so that no
//   connection bypasses the count.
// - When the map cannot be made (address-space limits), the file is read as the unix VFS does.
#pragma once

#include <cstdint>

struct sqlite3;

namespace herald::storage::internal {

// Registers the VFS as SQLite's default (once per process) and returns its name, or nullptr
// when the unix VFS is not there to wrap.
const char* RegisterMmapVfs();

// What a read transaction's snapshot depends on, as SQLite publishes it in the WAL index's
// shared memory for every connection of every process (https://www.sqlite.org/walformat.html):
// the WAL-index header, its first 48 bytes (change counter, last valid frame, salts), rewritten
// by every commit and every restart of the WAL. Equal states mean that nothing was committed in
// between.
struct WalState {
  uint32_t words[12] = {};
  bool operator==(const WalState&) const = default;
};

// Reads the WAL state of `db`'s main database; false when `db` is not on this VFS or has not
// mapped the shared memory yet (it does on its first read in WAL mode). A commit that returned
// before this call is seen.
bool ReadWalState(sqlite3* db, WalState* out);

// True unless `db`'s read transaction holds back a checkpoint or the WAL's restart more than one
// begun now would: when it reads from the WAL through a read mark that stands before the WAL's
// last frame (the checkpoint may not copy past it), or while every frame has been copied (a
// transaction begun now would read the database file only, and SQLite writes the WAL from its
// start again only when no reader reads from it).
bool ReadLockIsCurrent(sqlite3* db);

}  // namespace herald::storage::internal
