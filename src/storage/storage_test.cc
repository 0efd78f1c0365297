// SQLite: the shared storage contract plus backend-independent pieces (URL parsing, Row
// accessors, placeholder rewriting) that need no server.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "storage/internal/postgres_database.h"
#include "storage/internal/sqlite_database.h"
#include "storage/store_contract_test.h"

namespace herald::storage {

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(Backend::kSqlite));

namespace {

TEST(BackendNameTest, NamesBothBackends) {
  EXPECT_EQ(BackendName(Backend::kSqlite), "sqlite");
  EXPECT_EQ(BackendName(Backend::kPostgres), "postgresql");
}

TEST(RowTest, AccessorsAreLenient) {
  Row row({std::monostate(), int64_t{42}, 2.5, std::string("17"), Blob{std::string("a\0b", 3)},
           std::string("12.5000"), std::string("abc")});
  EXPECT_EQ(row.size(), 7u);
  EXPECT_TRUE(row.IsNull(0));
  EXPECT_FALSE(row.IsNull(1));
  EXPECT_EQ(row.Int(0), 0);
  EXPECT_EQ(row.Double(0), 0);
  EXPECT_EQ(row.Text(0), "");
  EXPECT_EQ(row.Bytes(0), "");
  EXPECT_EQ(row.Int(1), 42);
  EXPECT_EQ(row.Double(1), 42.0);
  EXPECT_EQ(row.Text(1), "42");
  EXPECT_EQ(row.Int(2), 2);
  EXPECT_EQ(row.Text(2), "2.5");
  EXPECT_EQ(row.Int(3), 17);
  EXPECT_EQ(row.Double(3), 17.0);
  EXPECT_EQ(row.Bytes(4), std::string("a\0b", 3));
  EXPECT_EQ(row.Text(4), std::string("a\0b", 3));
  EXPECT_EQ(row.Int(5), 12);  // NUMERIC text
  EXPECT_EQ(row.Double(5), 12.5);
  EXPECT_EQ(row.Int(6), 0);
  EXPECT_EQ(Row({1e300}).Int(0), std::numeric_limits<int64_t>::max());
}

TEST(SqliteUrlTest, AbsoluteAndRelativePaths) {
  EXPECT_EQ(*internal::SqlitePathFromUrl("sqlite:///abs/path.db"), "/abs/path.db");
  EXPECT_EQ(*internal::SqlitePathFromUrl("sqlite:////tmp/x/herald.db"), "/tmp/x/herald.db");
  EXPECT_EQ(*internal::SqlitePathFromUrl("sqlite://rel/path.db"), "rel/path.db");
  EXPECT_EQ(*internal::SqlitePathFromUrl("sqlite://./data/h.db"), "./data/h.db");
  EXPECT_EQ(internal::SqlitePathFromUrl("sqlite://").status().reason(), "invalid_database_url");
  EXPECT_EQ(internal::SqlitePathFromUrl("sqlite:/x.db").status().reason(), "invalid_database_url");
}

TEST(OpenDatabaseTest, RejectsUnknownSchemesWithoutEchoingTheUrl) {
  auto db = OpenDatabase("mysql://root:hunter2@localhost/db");
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db.status().reason(), "invalid_database_url");
  EXPECT_EQ(db.status().message().find("hunter2"), std::string::npos);
  EXPECT_EQ(OpenDatabase("").status().reason(), "invalid_database_url");
  EXPECT_EQ(OpenDatabase("sqlite://").status().reason(), "invalid_database_url");
}

TEST(OpenDatabaseTest, UnreachablePostgresIsUnavailable) {
  // Port 1 on loopback refuses at once; nothing listens there.
  auto db = OpenDatabase("postgresql://nobody:secret-pw@127.0.0.1:1/none?connect_timeout=2");
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(db.status().reason(), "database_unavailable");
  EXPECT_EQ(db.status().message().find("secret-pw"), std::string::npos);
}

TEST(OpenDatabaseTest, SqliteCreatesParentDirectoriesAndRelativePaths) {
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  std::string dir = url->substr(std::string("sqlite://").size());
  dir = std::filesystem::path(dir).parent_path() / "nested" / "deeper";
  auto db = OpenDatabase("sqlite://" + dir + "/h.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir + "/h.db"));
  EXPECT_EQ((*db)->Stats().size, 5);  // one writer + the default four readers

  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  auto rel = OpenDatabase("sqlite://rel/r.db");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir + "/rel/r.db"));
}

TEST(OpenDatabaseTest, NotADatabaseIsUnavailable) {
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  std::string path = url->substr(std::string("sqlite://").size());
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not a database file, just some text that is long enough to matter", f);
  std::fclose(f);
  auto db = OpenDatabase(*url);
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().ToString();
}

TEST(SqliteTest, WriterIsExclusiveAndWaitsGiveUpAsBusy) {
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  auto db = OpenDatabase(*url, DatabaseOptions{.readers = 1, .busy_timeout_ms = 100});
  ASSERT_TRUE(db.ok());
  auto w1 = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(w1.ok());
  auto w2 = (*db)->Begin(TxMode::kWrite);
  EXPECT_EQ(w2.status().reason(), "database_busy");
  // Readers are not blocked by the writer.
  auto r = (*db)->Begin(TxMode::kRead);
  EXPECT_TRUE(r.ok());
  // Another "process" (a second Database on the same file) is held off by the file lock.
  auto other = OpenDatabase(*url, DatabaseOptions{.readers = 1, .busy_timeout_ms = 100});
  ASSERT_TRUE(other.ok());
  auto w3 = (*other)->Begin(TxMode::kWrite);
  EXPECT_EQ(w3.status().reason(), "database_busy");
}

// A fresh SQLite database with `readers` reader connections, set up by the script `create_sql`.
struct FreshSqlite {
  std::string path;
  std::unique_ptr<Database> db;
};
FreshSqlite OpenFreshSqlite(int readers, const std::string& create_sql) {
  FreshSqlite out;
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  EXPECT_TRUE(url.ok());
  if (!url.ok()) return out;
  out.path = url->substr(std::string("sqlite://").size());
  auto db = OpenDatabase(*url, DatabaseOptions{.readers = readers});
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return out;
  out.db = std::move(*db);
  EXPECT_TRUE(RunInTransaction(*out.db, TxMode::kWrite, [&](Transaction& tx) {
                return tx.ExecuteScript(create_sql);
              }).ok());
  return out;
}

TEST(SqliteTest, TheWalIsCheckpointedOffTheCommitPath) {
  // Commits do not checkpoint (the writer's WAL hook replaces SQLite's automatic checkpoint);
  // the checkpointer thread copies the pages into the database file once the WAL holds 1,000.
  auto [path, db] =
      OpenFreshSqlite(1, "CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
  ASSERT_NE(db, nullptr);
  const std::string payload(64 * 1024, 'x');
  for (int i = 0; i < 100; ++i) {  // 6.4 MB in 100 commits: ~1,600 WAL pages
    ASSERT_TRUE(RunInTransaction(*db, TxMode::kWrite, [&](Transaction& tx) {
                  return tx.Execute("INSERT INTO blobs (b) VALUES (?)", {Blob{payload}}).status();
                }).ok());
  }
  // The database file itself only grows through checkpoints.
  std::error_code ec;
  uintmax_t size = 0;
  for (int i = 0; i < 300 && size < 3'000'000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    size = std::filesystem::file_size(path, ec);
  }
  EXPECT_GE(size, 3'000'000u) << "no checkpoint copied the WAL into " << path;
  // Everything is still readable.
  auto tx = db->Begin(TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  auto n = (*tx)->Query("SELECT count(*) FROM blobs");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->rows[0].Int(0), 100);
}

// Ends one read transaction on each of `n` reader connections at once (all `n` are taken before
// any ends), leaving each connection's transaction kept for its next read.
void ReadOnEveryReader(Database& db, int n, int64_t* seen = nullptr) {
  std::vector<std::unique_ptr<Transaction>> txs;
  for (int i = 0; i < n; ++i) {
    auto tx = db.Begin(TxMode::kRead);
    ASSERT_TRUE(tx.ok());
    auto v = (*tx)->Query("SELECT coalesce(max(v), 0) FROM t");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    if (seen != nullptr) seen[i] = v->rows[0].Int(0);
    txs.push_back(std::move(*tx));
  }
  for (auto& tx : txs) ASSERT_TRUE(tx->Commit().ok());
}

TEST(SqliteTest, TheWalStartsOverWhileWritesGoOnWithoutPause) {
  // A checkpoint beside a writer that never pauses never copies every frame, and SQLite only
  // writes the WAL from its start again after one has: the WAL would grow for as long as the
  // writes go on. Past 4,000 pages a commit waits for one checkpoint round, so the WAL file stays
  // near that size however much is written -- also while readers keep their transactions open
  // between reads, idle or busy.
  auto [path, db] = OpenFreshSqlite(3, "CREATE TABLE t (v INTEGER PRIMARY KEY, b BLOB NOT NULL)");
  ASSERT_NE(db, nullptr);
  ReadOnEveryReader(*db, 3);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      auto tx = db->Begin(TxMode::kRead);
      ASSERT_TRUE(tx.ok());
      ASSERT_TRUE((*tx)->Query("SELECT max(v) FROM t").ok());
    }
  });
  const std::string payload(16 * 1024, 'x');
  std::error_code ec;
  uintmax_t largest = 0;
  for (int i = 0; i < 3000; ++i) {  // 48 MB in 3,000 commits: ~15,000 WAL pages
    ASSERT_TRUE(RunInTransaction(*db, TxMode::kWrite, [&](Transaction& tx) {
                  return tx.Execute("INSERT INTO t (b) VALUES (?)", {Blob{payload}}).status();
                }).ok());
    largest = std::max(largest, std::filesystem::file_size(path + "-wal", ec));
  }
  done.store(true);
  reader.join();
  // 4,000 pages of 4,096 bytes and their frame headers, plus the commit that crossed the line.
  EXPECT_LT(largest, 20'000'000u) << "the WAL of " << path << " kept growing";
  EXPECT_GT(largest, 1'000'000u);  // the writes did go through the WAL
  int64_t seen[3] = {};
  ReadOnEveryReader(*db, 3, seen);
  for (int64_t v : seen) EXPECT_EQ(v, 3000);
}

TEST(SqliteTest, AReadSeesEveryCommitMadeBeforeIt) {
  // Readers keep their transaction open between reads and reuse it while the WAL index says
  // nothing was committed since: commits by this Database, by another connection of the process
  // and by another process must all be seen by the next read on every reader.
  auto [path, db] = OpenFreshSqlite(2, "CREATE TABLE t (v INTEGER PRIMARY KEY)");
  ASSERT_NE(db, nullptr);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_busy_timeout(raw, 5000);
  const bool cli = std::system("command -v sqlite3 >/dev/null 2>&1") == 0;
  int64_t seen[2] = {};
  for (int64_t v = 1; v <= 60; ++v) {
    ReadOnEveryReader(*db, 2);  // both readers hold a transaction from before the commit
    const std::string insert = "INSERT INTO t (v) VALUES (" + std::to_string(v) + ")";
    if (v % 3 == 0) {
      ASSERT_TRUE(RunInTransaction(*db, TxMode::kWrite, [&](Transaction& tx) {
                    return tx.Execute(insert).status();
                  }).ok());
    } else if (v % 3 == 1 || !cli) {
      ASSERT_EQ(sqlite3_exec(raw, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    } else {
      const std::string cmd = "sqlite3 -cmd '.timeout 5000' '" + path + "' '" + insert + "'";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    ReadOnEveryReader(*db, 2, seen);
    ASSERT_EQ(seen[0], v) << "a reader missed commit " << v;
    ASSERT_EQ(seen[1], v) << "a reader missed commit " << v;
  }
  sqlite3_close(raw);
  EXPECT_TRUE(cli) << "the sqlite3 command (scripts/install-deps.sh) was not found: no commit "
                      "came from another process";
}

TEST(SqliteTest, KeptReadsHoldBackAnotherConnectionsCheckpointOnlyBriefly) {
  // An operator's `PRAGMA wal_checkpoint(TRUNCATE)` waits for readers; the read transactions
  // idle readers keep are ended within a tenth of a second.
  auto [path, db] =
      OpenFreshSqlite(3, "CREATE TABLE t (v INTEGER PRIMARY KEY); INSERT INTO t (v) VALUES (7)");
  ASSERT_NE(db, nullptr);
  ReadOnEveryReader(*db, 3);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_busy_timeout(raw, 3000);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 0) << "the checkpoint was still blocked after 3 s";
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  std::error_code ec;
  EXPECT_EQ(std::filesystem::file_size(path + "-wal", ec), 0u);
  int64_t seen[3] = {};
  ReadOnEveryReader(*db, 3, seen);
  for (int64_t v : seen) EXPECT_EQ(v, 7);
}

// The mappings of `path` in this process (/proc/self/maps; Linux).
int MappingsOf(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  const std::string canonical = std::filesystem::canonical(path).string();
  int n = 0;
  for (std::string line; std::getline(maps, line);) {
    if (line.size() >= canonical.size() &&
        line.compare(line.size() - canonical.size(), canonical.size(), canonical) == 0) {
      ++n;
    }
  }
  return n;
}

TEST(SqliteTest, DatabasePagesAreReadThroughOneMapThatSeesEveryWrite) {
  // The herald-mmap VFS (internal/mmap_vfs.h): one map of the file for all connections, however
  // large the file; pages the file gains later (checkpoints) are read from it too.
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  const std::string path = url->substr(std::string("sqlite://").size());
  auto db = OpenDatabase(*url, DatabaseOptions{.readers = 3});
  ASSERT_TRUE(db.ok());
  EXPECT_STREQ(sqlite3_vfs_find(nullptr)->zName, "herald-mmap");
  ASSERT_TRUE(
      RunInTransaction(**db, TxMode::kWrite, [](Transaction& tx) {
        return tx.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").status();
      }).ok());
  auto text_of = [](int64_t id) {
    return std::string(1500 + id % 700, static_cast<char>('A' + id % 26)) + std::to_string(id);
  };
  sqlite3* raw = nullptr;  // a checkpoint on demand, through the same (default) VFS
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  int64_t next = 1;
  for (int round = 0; round < 12; ++round) {
    ASSERT_TRUE(
        RunInTransaction(**db, TxMode::kWrite, [&](Transaction& tx) {
          for (int i = 0; i < 100; ++i, ++next) {
            HERALD_RETURN_IF_ERROR(
                tx.Execute("INSERT INTO t (id, v) VALUES (?, ?)", {next, text_of(next)}).status());
          }
          // Rewrite rows of earlier rounds too: changed pages, not only new ones.
          return tx
              .Execute("UPDATE t SET v = v || '+' WHERE id % 97 = ?", {static_cast<int64_t>(round)})
              .status();
        }).ok());
    if (round % 3 == 2) {
      ASSERT_EQ(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr),
                SQLITE_OK);
    }
    // Every reader sees every row exactly as written, whether its page is in the WAL or in the
    // (grown) file.
    for (int r = 0; r < 3; ++r) {
      auto tx = (*db)->Begin(TxMode::kRead);
      ASSERT_TRUE(tx.ok());
      auto rows = (*tx)->Query("SELECT id, v FROM t ORDER BY id");
      ASSERT_TRUE(rows.ok());
      ASSERT_EQ(rows->size(), static_cast<size_t>(next - 1));
      for (const auto& row : rows->rows) {
        const int64_t id = row.Int(0);
        std::string want = text_of(id);
        for (int k = 0; k <= round; ++k) {
          if (id % 97 == k && id <= (k + 1) * 100) want += '+';
        }
        ASSERT_EQ(row.Text(1), want) << "row " << id << " in round " << round;
      }
    }
  }
  sqlite3_close(raw);
  EXPECT_GT(std::filesystem::file_size(path), 2'000'000u);
  // One map for the writer, the three readers, the checkpointer and the raw connection (the
  // unix VFS would make one per connection).
  EXPECT_EQ(MappingsOf(path), 1);
  db->reset();
  EXPECT_EQ(MappingsOf(path), 0) << "the map outlived the file's last connection";
}

TEST(SqliteTest, PlannerStatisticsOfFts5TablesAreDroppedAtOpen) {
  // An ANALYZE taken while an FTS5 index is small says its data table holds 2 rows; FTS5's own
  // range deletes (segment merges) would then scan the whole table as the index grows.
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  const std::string plan_sql = "EXPLAIN QUERY PLAN DELETE FROM docs_data WHERE id >= 1 AND id <= 2";
  auto query = [](Database& db, const std::string& sql) {
    auto tx = db.Begin(TxMode::kRead);
    EXPECT_TRUE(tx.ok());
    auto rows = (*tx)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows->rows.at(0).Text(rows->rows.at(0).size() - 1) : std::string();
  };
  {
    auto db = OpenDatabase(*url);
    ASSERT_TRUE(db.ok());
    for (const char* sql :
         {"CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='trigram')",
          "CREATE TABLE notes (id INTEGER PRIMARY KEY, k TEXT NOT NULL)",
          "CREATE INDEX notes_k ON notes (k)", "INSERT INTO docs (body) VALUES ('第一篇文章')",
          "INSERT INTO notes (k) VALUES ('a'), ('b')", "ANALYZE"}) {
      ASSERT_TRUE(RunInTransaction(**db, TxMode::kWrite,
                                   [&](Transaction& tx) { return tx.Execute(sql).status(); })
                      .ok())
          << sql;
    }
    ASSERT_EQ(query(**db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'docs_data'"), "1");
  }
  auto db = OpenDatabase(*url);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(query(**db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl LIKE 'docs%'"), "0");
  EXPECT_EQ(query(**db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'notes'"), "1");
  // Every connection of the pool plans FTS5's range delete by rowid.
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(query(**db, plan_sql).find("SEARCH"), std::string::npos) << query(**db, plan_sql);
  }
  auto w = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(w.ok());
  auto plan = (*w)->Query(plan_sql);
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->rows.at(0).Text(3).find("SEARCH"), std::string::npos);
}

TEST(SqliteTest, DoubleQuotedStringsAreIdentifiers) {
  // SQLite would otherwise take "x" as the string 'x' where PostgreSQL sees a column.
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  auto db = OpenDatabase(*url);
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->Begin(TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE((*tx)->Query("SELECT \"no_such_column\"").ok());
}

TEST(SqliteTest, OneStatementPerQuery) {
  auto url = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(url.ok());
  auto db = OpenDatabase(*url);
  ASSERT_TRUE(db.ok());
  auto tx = (*db)->Begin(TxMode::kWrite);
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE((*tx)->Query("SELECT 1; ").ok());
  EXPECT_TRUE((*tx)->Query("SELECT 1; -- done").ok());
  EXPECT_FALSE((*tx)->Query("SELECT 1; SELECT 2").ok());
}

TEST(RewritePlaceholdersTest, SkipsQuotesAndComments) {
  int n = -1;
  EXPECT_EQ(internal::RewritePlaceholders("SELECT ? , ?", &n), "SELECT $1 , $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(internal::RewritePlaceholders("SELECT '?', 'it''s ?', ? FROM t", &n),
            "SELECT '?', 'it''s ?', $1 FROM t");
  EXPECT_EQ(n, 1);
  EXPECT_EQ(
      internal::RewritePlaceholders("SELECT \"a?\" FROM t WHERE x = ? -- why?\nAND y = ?", &n),
      "SELECT \"a?\" FROM t WHERE x = $1 -- why?\nAND y = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(internal::RewritePlaceholders("SELECT /* ? */ ?, E'\\'?', ?", &n),
            "SELECT /* ? */ $1, E'\\'?', $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(internal::RewritePlaceholders("SELECT 'unterminated ?", &n), "SELECT 'unterminated ?");
  EXPECT_EQ(n, 0);
  EXPECT_EQ(internal::RewritePlaceholders("", &n), "");
  EXPECT_EQ(n, 0);
  EXPECT_EQ(internal::RewritePlaceholders("-- only ?", &n), "-- only ?");
  EXPECT_EQ(internal::RewritePlaceholders("SELECT ?name", &n), "SELECT $1name");
}

TEST(AdvisoryLockKeyTest, IsStableAndDistinguishesNames) {
  // FNV-1a 64 of "" and "a": fixed forever, since processes of different versions share locks.
  EXPECT_EQ(static_cast<uint64_t>(internal::AdvisoryLockKey("")), 14695981039346656037ull);
  EXPECT_EQ(static_cast<uint64_t>(internal::AdvisoryLockKey("a")), 0xaf63dc4c8601ec8cull);
  EXPECT_NE(internal::AdvisoryLockKey("audit_log"), internal::AdvisoryLockKey("schema_migrations"));
}

TEST(TestingTest, SqliteUrlsAreFresh) {
  auto a = NewTestDatabaseUrl(Backend::kSqlite);
  auto b = NewTestDatabaseUrl(Backend::kSqlite);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(a->starts_with("sqlite:///"));
}

}  // namespace
}  // namespace herald::storage
