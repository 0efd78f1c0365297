// The storage contract (storage/database.h, storage/migrations.h), run on every backend:
// storage_test.cc instantiates StoreContractTest for SQLite, storage_pgtest.cc for PostgreSQL.
// Every test body here must pass unchanged on both.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace herald::storage {

// Tables every test starts with; also the first exercise of Migrate and {{AUTO_ID}}/{{BLOB}}.
inline std::vector<Migration> ContractSchema() {
  return {
      {"test/0001_tables", R"sql(
CREATE TABLE parents (
  id {{AUTO_ID}},
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE children (
  id {{AUTO_ID}},
  parent_id BIGINT NOT NULL REFERENCES parents (id),
  qty BIGINT NOT NULL CHECK (qty >= 0)
);
CREATE TABLE vals (
  id BIGINT PRIMARY KEY,
  i BIGINT,
  d DOUBLE PRECISION,
  t TEXT,
  b {{BLOB}}
);
CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO counter (id, n) VALUES (1, 0);
)sql",
       ""},
      {"test/0002_trigger",
       R"sql(
CREATE TABLE frozen (id BIGINT PRIMARY KEY);
CREATE TRIGGER frozen_no_delete BEFORE DELETE ON frozen
  BEGIN SELECT RAISE(ABORT, 'frozen rows stay'); END;
)sql",
       R"sql(
CREATE TABLE frozen (id BIGINT PRIMARY KEY);
CREATE FUNCTION frozen_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'frozen rows stay';
END $$;
CREATE TRIGGER frozen_no_delete BEFORE DELETE ON frozen
  FOR EACH ROW EXECUTE FUNCTION frozen_no_delete();
)sql"},
  };
}

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto url = NewTestDatabaseUrl(GetParam());
    if (!url.ok() && url.status().code() == StatusCode::kNotFound) {
      GTEST_SKIP() << url.status().message();
    }
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    db_ = Open();
    ASSERT_NE(db_, nullptr);
    auto applied = Migrate(*db_, ContractSchema(), clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    ASSERT_EQ(*applied, 2);
  }

  std::unique_ptr<Database> Open(DatabaseOptions options = {}) {
    auto db = OpenDatabase(url_, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::unique_ptr<Transaction> Begin(TxMode mode, Database* db = nullptr) {
    auto tx = (db ? db : db_.get())->Begin(mode);
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    return tx.ok() ? std::move(*tx) : nullptr;
  }

  // Runs one statement in its own write transaction and commits it.
  Status Write(const std::string& sql, const std::vector<Value>& params = {}) {
    return RunInTransaction(*db_, TxMode::kWrite,
                            [&](Transaction& tx) { return tx.Execute(sql, params).status(); });
  }

  // Runs one query in its own read transaction.
  Rows Read(const std::string& sql, const std::vector<Value>& params = {}) {
    auto tx = Begin(TxMode::kRead);
    if (!tx) return {};
    auto rows = tx->Query(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_TRUE(tx->Commit().ok());
    return rows.ok() ? std::move(*rows) : Rows{};
  }

  int64_t Count(const std::string& table) {
    Rows rows = Read("SELECT COUNT(*) FROM " + table);
    return rows.empty() ? -1 : rows.rows[0].Int(0);
  }

  FakeClock clock_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_P(StoreContractTest, ReportsItsBackend) {
  EXPECT_EQ(db_->backend(), GetParam());
  auto tx = Begin(TxMode::kRead);
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->backend(), GetParam());
}

TEST_P(StoreContractTest, EveryValueTypeRoundTrips) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const std::string kChinese = "你好，世界 — UTF-8 ✓ 𝄞";
  const std::string kTricky = "what? it's \"quoted\" ? and \\ backslash; -- not a comment";
  const std::string kBytes("\0\x01\xff\0\x7f'?\\x00", 10);
  struct Case {
    int64_t id;
    Value i, d, t, b;
  };
  std::vector<Case> cases = {
      {1, kMin, 0.1, kChinese, Blob{kBytes}},
      {2, kMax, -1.5e300, kTricky, Blob{""}},
      {3, int64_t{0}, 3.141592653589793, std::string(""), Blob{std::string(1, '\0')}},
      {4, std::monostate(), std::monostate(), std::monostate(), std::monostate()},
  };
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  for (const Case& c : cases) {
    auto n = tx->Execute("INSERT INTO vals (id, i, d, t, b) VALUES (?, ?, ?, ?, ?)",
                         {c.id, c.i, c.d, c.t, c.b});
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1);
  }
  ASSERT_TRUE(tx->Commit().ok());

  Rows rows = Read("SELECT id, i, d, t, b FROM vals ORDER BY id");
  ASSERT_EQ(rows.size(), cases.size());
  EXPECT_EQ(rows.columns, (std::vector<std::string>{"id", "i", "d", "t", "b"}));
  for (size_t k = 0; k < cases.size(); ++k) {
    const Row& r = rows.rows[k];
    const Case& c = cases[k];
    EXPECT_EQ(r.at(0), Value(c.id));
    EXPECT_EQ(r.at(1), c.i) << "row " << c.id;
    EXPECT_EQ(r.at(2), c.d) << "row " << c.id;
    EXPECT_EQ(r.at(3), c.t) << "row " << c.id;
    EXPECT_EQ(r.at(4), c.b) << "row " << c.id;
  }
  EXPECT_EQ(rows.rows[0].Int(1), kMin);
  EXPECT_EQ(rows.rows[1].Int(1), kMax);
  EXPECT_EQ(rows.rows[0].Text(3), kChinese);
  EXPECT_EQ(rows.rows[0].Bytes(4), kBytes);
  EXPECT_TRUE(rows.rows[3].IsNull(1));
  EXPECT_EQ(rows.rows[3].Int(1), 0);
  EXPECT_EQ(rows.rows[3].Text(3), "");
  // An empty string is not NULL.
  EXPECT_FALSE(rows.rows[2].IsNull(3));
  EXPECT_FALSE(rows.rows[1].IsNull(4));
}

TEST_P(StoreContractTest, ParametersFindRowsByEveryType) {
  ASSERT_TRUE(Write("INSERT INTO vals (id, i, d, t, b) VALUES (1, 7, 2.5, 'x?', ?)",
                    {Blob{std::string("\0k", 2)}})
                  .ok());
  EXPECT_EQ(Read("SELECT id FROM vals WHERE i = ?", {int64_t{7}}).size(), 1u);
  EXPECT_EQ(Read("SELECT id FROM vals WHERE d = ?", {2.5}).size(), 1u);
  EXPECT_EQ(Read("SELECT id FROM vals WHERE t = ?", {std::string("x?")}).size(), 1u);
  EXPECT_EQ(Read("SELECT id FROM vals WHERE b = ?", {Blob{std::string("\0k", 2)}}).size(), 1u);
  EXPECT_EQ(Read("SELECT id FROM vals WHERE b = ?", {Blob{std::string("\0j", 2)}}).size(), 0u);
  EXPECT_EQ(
      Read("SELECT id FROM vals WHERE i > ? ORDER BY id LIMIT ?", {int64_t{1}, int64_t{5}}).size(),
      1u);
}

TEST_P(StoreContractTest, InsertReturningId) {
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  auto a = tx->Query("INSERT INTO parents (name) VALUES (?) RETURNING id", {std::string("a")});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = tx->Query("INSERT INTO parents (name) VALUES (?) RETURNING id", {std::string("b")});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(a->size(), 1u);
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ(a->columns, std::vector<std::string>{"id"});
  EXPECT_GT(a->rows[0].Int(0), 0);
  EXPECT_GT(b->rows[0].Int(0), a->rows[0].Int(0));
  // Execute on a RETURNING statement counts the rows it inserted.
  auto n = tx->Execute("INSERT INTO parents (name) VALUES (?) RETURNING id", {std::string("c")});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(Count("parents"), 3);
}

TEST_P(StoreContractTest, ExecuteCountsChangedRows) {
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  for (int64_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(tx->Execute("INSERT INTO vals (id, i) VALUES (?, ?)", {i, i * 10}).ok());
  }
  auto updated = tx->Execute("UPDATE vals SET i = i + 1 WHERE i >= ?", {int64_t{20}});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(*updated, 2);
  auto none = tx->Execute("DELETE FROM vals WHERE id = ?", {int64_t{99}});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto ddl = tx->Execute("CREATE TABLE scratch (x BIGINT)");
  ASSERT_TRUE(ddl.ok()) << ddl.status().ToString();
  EXPECT_EQ(*ddl, 0);
  auto select = tx->Execute("SELECT id FROM vals");
  ASSERT_TRUE(select.ok()) << select.status().ToString();
  EXPECT_EQ(*select, 0);
  auto upsert = tx->Execute(
      "INSERT INTO vals (id, i) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET i = excluded.i",
      {int64_t{1}, int64_t{5}});
  ASSERT_TRUE(upsert.ok()) << upsert.status().ToString();
  EXPECT_EQ(*upsert, 1);
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(Read("SELECT i FROM vals WHERE id = 1").rows.at(0).Int(0), 5);
}

TEST_P(StoreContractTest, UniqueViolationIsAlreadyExists) {
  const std::string kSecret = "13800138000-secret";
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES (?)", {kSecret}).ok());
  Status st = Write("INSERT INTO parents (name) VALUES (?)", {kSecret});
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_EQ(st.reason(), "unique_violation");
  EXPECT_EQ(st.message().find(kSecret), std::string::npos) << st.message();
  // A duplicate primary key too.
  ASSERT_TRUE(Write("INSERT INTO vals (id) VALUES (?)", {int64_t{5}}).ok());
  st = Write("INSERT INTO vals (id) VALUES (?)", {int64_t{5}});
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_EQ(st.reason(), "unique_violation");
  EXPECT_EQ(Count("parents"), 1);
}

TEST_P(StoreContractTest, ForeignKeyViolationIsFailedPrecondition) {
  Status st =
      Write("INSERT INTO children (parent_id, qty) VALUES (?, ?)", {int64_t{424242}, int64_t{1}});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(st.reason(), "foreign_key_violation");
  EXPECT_EQ(st.message().find("424242"), std::string::npos) << st.message();
  EXPECT_EQ(Count("children"), 0);
}

TEST_P(StoreContractTest, CheckNotNullAndTriggerViolationsAreConstraintViolations) {
  // Never insert explicit values into an {{AUTO_ID}} column: PostgreSQL's identity sequence
  // would not move past them and a later insert would collide.
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES ('p')").ok());
  int64_t parent_id = Read("SELECT id FROM parents").rows.at(0).Int(0);
  Status st =
      Write("INSERT INTO children (parent_id, qty) VALUES (?, ?)", {parent_id, int64_t{-987654}});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(st.reason(), "constraint_violation");
  EXPECT_EQ(st.message().find("987654"), std::string::npos) << st.message();

  st = Write("INSERT INTO parents (name) VALUES (?)", {std::monostate()});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(st.reason(), "constraint_violation");

  ASSERT_TRUE(Write("INSERT INTO frozen (id) VALUES (1)").ok());
  st = Write("DELETE FROM frozen WHERE id = 1");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(st.reason(), "constraint_violation");
  EXPECT_NE(st.message().find("frozen rows stay"), std::string::npos) << st.message();
  EXPECT_EQ(Count("frozen"), 1);
}

TEST_P(StoreContractTest, InvalidSqlIsInternalAndNotACrash) {
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  auto rows = tx->Query("SELEC nonsense");
  EXPECT_EQ(rows.status().code(), StatusCode::kInternal);
  EXPECT_EQ(rows.status().reason(), "database_error");
  auto tx2 = Begin(TxMode::kRead);
  ASSERT_NE(tx2, nullptr);
  EXPECT_FALSE(tx2->Query("SELECT * FROM no_such_table").ok());
  auto tx3 = Begin(TxMode::kRead);
  ASSERT_NE(tx3, nullptr);
  // Parameter count mismatches are reported, not bound out of range.
  auto mismatch = tx3->Query("SELECT id FROM vals WHERE id = ? AND i = ?", {int64_t{1}});
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInternal);
}

TEST_P(StoreContractTest, DestroyedWithoutCommitRollsBack) {
  {
    auto tx = Begin(TxMode::kWrite);
    ASSERT_NE(tx, nullptr);
    ASSERT_TRUE(tx->Execute("INSERT INTO parents (name) VALUES ('gone')").ok());
  }
  EXPECT_EQ(Count("parents"), 0);
  {
    auto tx = Begin(TxMode::kWrite);
    ASSERT_NE(tx, nullptr);
    ASSERT_TRUE(tx->Execute("INSERT INTO parents (name) VALUES ('gone too')").ok());
    EXPECT_TRUE(tx->Rollback().ok());
    EXPECT_FALSE(tx->Execute("INSERT INTO parents (name) VALUES ('after end')").ok());
    EXPECT_FALSE(tx->Commit().ok());
  }
  EXPECT_EQ(Count("parents"), 0);
  // The connection went back to the pool in a clean state.
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES ('kept')").ok());
  EXPECT_EQ(Count("parents"), 1);
}

TEST_P(StoreContractTest, TransactionsThatRunNothingEndCleanly) {
  for (int i = 0; i < 3; ++i) {
    auto r = Begin(TxMode::kRead);
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->Commit().ok());
    auto w = Begin(TxMode::kWrite);
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(w->Rollback().ok());
    auto d = Begin(TxMode::kWrite);
    ASSERT_NE(d, nullptr);
  }
  auto locked = Begin(TxMode::kWrite);
  ASSERT_NE(locked, nullptr);
  EXPECT_TRUE(locked->LockExclusive("nothing").ok());
  EXPECT_TRUE(locked->Commit().ok());
  EXPECT_EQ(db_->Stats().in_use, 0);
  EXPECT_EQ(Count("parents"), 0);
}

TEST_P(StoreContractTest, CommitIsVisibleToNewReadTransactions) {
  auto before = Begin(TxMode::kRead);
  ASSERT_NE(before, nullptr);
  ASSERT_TRUE(before->Query("SELECT COUNT(*) FROM parents").ok());  // takes its snapshot
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  ASSERT_TRUE(tx->Execute("INSERT INTO parents (name) VALUES ('seen')").ok());
  ASSERT_TRUE(tx->Commit().ok());
  // A read transaction keeps one snapshot...
  EXPECT_EQ(before->Query("SELECT COUNT(*) FROM parents")->rows.at(0).Int(0), 0);
  ASSERT_TRUE(before->Commit().ok());
  // ...and a new one sees the commit.
  auto rows = Read("SELECT name FROM parents");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Text(0), "seen");
}

TEST_P(StoreContractTest, SqlMetacharactersInParametersAreData) {
  const std::string kNasty = "'; DROP TABLE parents; --";
  const std::string kNasty2 = "\" OR 1=1; DELETE FROM parents WHERE '' = '";
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES (?)", {kNasty}).ok());
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES (?)", {kNasty2}).ok());
  Rows rows = Read("SELECT name FROM parents WHERE name = ?", {kNasty});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Text(0), kNasty);
  EXPECT_EQ(Count("parents"), 2);
}

TEST_P(StoreContractTest, QuestionMarksInLiteralsAreNotPlaceholders) {
  Rows rows = Read("SELECT '?' AS q, 'it''s ?' AS r, ? AS p, 1 AS \"who?\" -- trailing comment?\n",
                   {std::string("param")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Text(0), "?");
  EXPECT_EQ(rows.rows[0].Text(1), "it's ?");
  EXPECT_EQ(rows.rows[0].Text(2), "param");
  EXPECT_EQ(rows.rows[0].Int(3), 1);
  EXPECT_EQ(rows.columns.at(3), "who?");
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES ('why?')").ok());
  EXPECT_EQ(Read("SELECT id FROM parents WHERE name = 'why?' AND id > ?", {int64_t{0}}).size(), 1u);
}

TEST_P(StoreContractTest, AggregatesReadLeniently) {
  ASSERT_TRUE(Write("INSERT INTO vals (id, i) VALUES (1, 4), (2, 5)").ok());
  // PostgreSQL returns SUM(BIGINT) as NUMERIC and AVG as NUMERIC; SQLite as numbers.
  Rows rows = Read("SELECT COUNT(*), SUM(i), AVG(i), MAX(i) FROM vals");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Int(0), 2);
  EXPECT_EQ(rows.rows[0].Int(1), 9);
  EXPECT_DOUBLE_EQ(rows.rows[0].Double(2), 4.5);
  EXPECT_EQ(rows.rows[0].Int(3), 5);
  EXPECT_EQ(rows.rows[0].Text(1), "9");
}

TEST_P(StoreContractTest, ConcurrentWritersLoseNoUpdates) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Status st = RunInTransaction(*db_, TxMode::kWrite, [](Transaction& tx) {
          return tx.Execute("UPDATE counter SET n = n + 1 WHERE id = 1").status();
        });
        if (!st.ok()) {
          ++failures;
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Read("SELECT n FROM counter WHERE id = 1").rows.at(0).Int(0), kThreads * kIncrements);
  EXPECT_EQ(db_->Stats().in_use, 0);
}

TEST_P(StoreContractTest, LockExclusiveSerialisesReadModifyWrite) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Status st = RunInTransaction(*db_, TxMode::kWrite, [](Transaction& tx) -> Status {
          HERALD_RETURN_IF_ERROR(tx.LockExclusive("counter"));
          HERALD_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT n FROM counter WHERE id = 1"));
          int64_t n = rows.rows.at(0).Int(0);
          std::this_thread::yield();  // widen the window a lost update would need
          return tx.Execute("UPDATE counter SET n = ? WHERE id = 1", {n + 1}).status();
        });
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Read("SELECT n FROM counter WHERE id = 1").rows.at(0).Int(0), kThreads * kIncrements);
}

TEST_P(StoreContractTest, RunInTransactionRetriesAbortedOnly) {
  int calls = 0;
  Status st = RunInTransaction(*db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    ++calls;
    HERALD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO vals (id) VALUES (?)", {int64_t{calls}}).status());
    return calls < 3 ? Aborted("try again", "conflict") : Status();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 3);
  // Only the successful attempt's writes remain.
  Rows rows = Read("SELECT id FROM vals");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Int(0), 3);

  calls = 0;
  st = RunInTransaction(*db_, TxMode::kWrite, [&](Transaction&) {
    ++calls;
    return FailedPrecondition("no", "nope");
  });
  EXPECT_EQ(st.reason(), "nope");
  EXPECT_EQ(calls, 1);

  calls = 0;
  st = RunInTransaction(
      *db_, TxMode::kRead,
      [&](Transaction&) {
        ++calls;
        return Aborted("always", "conflict");
      },
      2);
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(calls, 2);
}

TEST_P(StoreContractTest, AFailedStatementEndsTheTransactionsUsefulness) {
  ASSERT_TRUE(Write("INSERT INTO parents (name) VALUES ('dup')").ok());
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  ASSERT_TRUE(tx->Execute("INSERT INTO parents (name) VALUES ('first')").ok());
  EXPECT_EQ(tx->Execute("INSERT INTO parents (name) VALUES ('dup')").status().code(),
            StatusCode::kAlreadyExists);
  // Both backends refuse further statements and refuse to commit, keeping the first error.
  auto next = tx->Execute("INSERT INTO parents (name) VALUES ('second')");
  EXPECT_EQ(next.status().code(), StatusCode::kAlreadyExists) << next.status().ToString();
  Status commit = tx->Commit();
  EXPECT_EQ(commit.code(), StatusCode::kAlreadyExists) << commit.ToString();
  EXPECT_EQ(Count("parents"), 1);
}

TEST_P(StoreContractTest, ReadTransactionsCannotWrite) {
  auto tx = Begin(TxMode::kRead);
  ASSERT_NE(tx, nullptr);
  auto n = tx->Execute("INSERT INTO parents (name) VALUES ('nope')");
  EXPECT_FALSE(n.ok());
  EXPECT_FALSE(tx->Commit().ok());
  auto tx2 = Begin(TxMode::kRead);
  ASSERT_NE(tx2, nullptr);
  EXPECT_FALSE(tx2->ExecuteScript("DELETE FROM counter;").ok());
  tx2.reset();
  EXPECT_EQ(Count("parents"), 0);
  EXPECT_EQ(Count("counter"), 1);
}

TEST_P(StoreContractTest, ExecuteScriptRunsSeveralStatements) {
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  Status st = tx->ExecuteScript(
      "INSERT INTO parents (name) VALUES ('a;b');\n"
      "-- a comment; with a semicolon\n"
      "INSERT INTO parents (name) VALUES ('c');\n");
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(Count("parents"), 2);
}

TEST_P(StoreContractTest, StatsReflectConnectionsInUseAndWaits) {
  DatabaseOptions options;
  options.readers = 2;
  options.busy_timeout_ms = 200;
  auto db = Open(options);
  ASSERT_NE(db, nullptr);
  EXPECT_GE(db->Stats().size, 2);
  EXPECT_EQ(db->Stats().in_use, 0);
  EXPECT_EQ(db->Stats().waits, 0);
  auto r1 = Begin(TxMode::kRead, db.get());
  EXPECT_EQ(db->Stats().in_use, 1);
  auto r2 = Begin(TxMode::kRead, db.get());
  EXPECT_EQ(db->Stats().in_use, 2);

  // Both readers are taken: a third reader waits, then gives up with database_busy...
  auto busy = db->Begin(TxMode::kRead);
  EXPECT_EQ(busy.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(busy.status().reason(), "database_busy");
  EXPECT_EQ(db->Stats().waits, 1);

  // ...or gets the first connection released while it waits.
  std::thread waiter([&] {
    auto tx = db->Begin(TxMode::kRead);
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
  });
  while (db->Stats().waits < 2) std::this_thread::yield();
  ASSERT_TRUE(r1->Commit().ok());
  waiter.join();
  EXPECT_EQ(db->Stats().waits, 2);
  EXPECT_EQ(db->Stats().in_use, 1);
  r2.reset();
  EXPECT_EQ(db->Stats().in_use, 0);
}

TEST_P(StoreContractTest, MigrationsApplyOnceInOrder) {
  std::vector<Migration> more = ContractSchema();
  more.push_back({"test/0003_extra", "CREATE TABLE extra (id {{AUTO_ID}}, data {{BLOB}});", ""});
  more.push_back({"test/0004_seed", "INSERT INTO extra (data) VALUES (NULL);", ""});
  clock_.Advance(kMicrosPerSecond);
  auto applied = Migrate(*db_, more, clock_);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 2);
  auto again = Migrate(*db_, more, clock_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Count("extra"), 1);
  auto ids = AppliedMigrations(*db_);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<std::string>{"test/0001_tables", "test/0002_trigger",
                                            "test/0003_extra", "test/0004_seed"}));
  Rows times = Read("SELECT applied_at FROM schema_migrations WHERE id = 'test/0003_extra'");
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times.rows[0].Int(0), clock_.Now());
  // AUTO_ID columns hand out ids on their own and accept RETURNING.
  auto tx = Begin(TxMode::kWrite);
  ASSERT_NE(tx, nullptr);
  auto id = tx->Query("INSERT INTO extra (data) VALUES (?) RETURNING id", {Blob{"x"}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->rows.at(0).Int(0), 2);
}

TEST_P(StoreContractTest, FailingMigrationLeavesNothingAndNamesItself) {
  std::vector<Migration> list = ContractSchema();
  list.push_back({"test/0003_good", "CREATE TABLE good (id BIGINT PRIMARY KEY);", ""});
  list.push_back({"test/0004_bad",
                  "CREATE TABLE half_done (id BIGINT PRIMARY KEY);\n"
                  "INSERT INTO half_done (id) VALUES (1);\n"
                  "INSERT INTO no_such_table (id) VALUES (1);\n",
                  ""});
  list.push_back({"test/0005_after", "CREATE TABLE after_bad (id BIGINT PRIMARY KEY);", ""});
  auto applied = Migrate(*db_, list, clock_);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.status().message().find("test/0004_bad"), std::string::npos)
      << applied.status().ToString();
  auto ids = AppliedMigrations(*db_);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 3u);
  EXPECT_EQ(ids->back(), "test/0003_good");
  auto tx = Begin(TxMode::kRead);
  ASSERT_NE(tx, nullptr);
  EXPECT_FALSE(tx->Query("SELECT id FROM half_done").ok());

  // Fixed, it applies along with what follows it.
  list[3].sql = "CREATE TABLE half_done (id BIGINT PRIMARY KEY);";
  applied = Migrate(*db_, list, clock_);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 2);
}

TEST_P(StoreContractTest, MigrationInputIsChecked) {
  EXPECT_EQ(
      Migrate(*db_, {{"x/1", "SELECT 1;", ""}, {"x/1", "SELECT 1;", ""}}, clock_).status().code(),
      StatusCode::kInvalidArgument);
  auto typo = Migrate(*db_, {{"x/2", "CREATE TABLE t (id {{AUTOID}});", ""}}, clock_);
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("x/2"), std::string::npos);
}

TEST_P(StoreContractTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  // Two "processes": separate Database objects on one database, migrating at the same time.
  std::vector<Migration> list;
  for (int i = 0; i < 6; ++i) {
    std::string n = std::to_string(i);
    list.push_back({"race/" + n,
                    "CREATE TABLE race_" + n +
                        " (id BIGINT);\n"
                        "INSERT INTO race_" +
                        n + " (id) VALUES (" + n + ");",
                    ""});
  }
  auto other = Open();
  ASSERT_NE(other, nullptr);
  Result<int> a = 0, b = 0;
  std::thread t1([&] { a = Migrate(*db_, list, clock_); });
  std::thread t2([&] { b = Migrate(*other, list, clock_); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*a + *b, 6);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Count("race_" + std::to_string(i)), 1);
  EXPECT_EQ(AppliedMigrations(*db_)->size(), 8u);
}

TEST_P(StoreContractTest, FreshDatabaseHasNoMigrations) {
  auto url = NewTestDatabaseUrl(GetParam());
  ASSERT_TRUE(url.ok());
  auto db = OpenDatabase(*url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto ids = AppliedMigrations(**db);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_TRUE(ids->empty());
  auto applied = Migrate(**db, {}, clock_);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 0);
}

}  // namespace herald::storage
