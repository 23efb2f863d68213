// The fleet store's own behaviour on the throw-away PostgreSQL server: the queue of shared sweeps
// (claims, leases, the claim token that keeps an expired worker from storing) and the one-sentence
// failures (wrong password, unreachable server, another application's database, newer schema).
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <thread>

#include "common/error.h"
#include "store/fleet.h"
#include "store/store.h"
#include "support/pg_server.h"
#include "support/point_records.h"

namespace edgejoule {
namespace {

class FleetStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = testing::pg_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
    std::string tag = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    db_ = "fleet_";
    for (char c : tag) db_ += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    db_ = db_.substr(0, 60);
    uri_ = testing::fresh_pg_database(db_);
    ASSERT_FALSE(uri_.empty()) << "the test PostgreSQL server did not start (scripts/pg-test-server.sh)";
  }
  static std::vector<QueueEntry> entries(int n) {
    std::vector<QueueEntry> out;
    for (int i = 0; i < n; ++i) {
      out.push_back({"m" + std::to_string(i), "sha-" + std::to_string(i), "engine=torchscript;batch=1", "{}"});
    }
    return out;
  }
  std::string db_, uri_;
};

TEST_F(FleetStore, EnqueueIsIdempotentPerDeviceClass) {
  auto queue = open_fleet_queue(uri_);
  EXPECT_EQ(queue->enqueue("q", "pi5", entries(3)), 3);
  EXPECT_EQ(queue->enqueue("q", "pi5", entries(4)), 1);     // only the new one
  EXPECT_EQ(queue->enqueue("q", "orin", entries(2)), 2);    // another class has its own
  EXPECT_EQ(queue->unfinished("q", "pi5"), 4);
  EXPECT_EQ(queue->unfinished("q", "orin"), 2);
  int64_t pending = 0;
  for (const auto& c : queue->status("q")) pending += c.status == "pending" ? c.points : 0;
  EXPECT_EQ(pending, 6);
}

// Two workers claiming at once never get the same point (FOR UPDATE SKIP LOCKED), and a class
// only gives out its own points.
TEST_F(FleetStore, ConcurrentClaimsGetDistinctPoints) {
  open_fleet_queue(uri_)->enqueue("q", "pi5", entries(20));
  std::vector<int64_t> got[2];
  std::thread workers[2];
  for (int w = 0; w < 2; ++w) {
    workers[w] = std::thread([&, w] {
      auto queue = open_fleet_queue(uri_);
      while (auto item = queue->claim("q", "pi5", "w" + std::to_string(w), "host", 60, 3, {})) {
        got[w].push_back(item->id);
      }
    });
  }
  for (auto& t : workers) t.join();
  std::set<int64_t> all(got[0].begin(), got[0].end());
  all.insert(got[1].begin(), got[1].end());
  EXPECT_EQ(got[0].size() + got[1].size(), 20u);
  EXPECT_EQ(all.size(), 20u);
  EXPECT_FALSE(open_fleet_queue(uri_)->claim("q", "orin", "w", "host", 60, 3, {}));
}

// A worker whose lease expired and whose point was claimed again cannot store its copy: the
// re-claimer's is the one stored, once.
TEST_F(FleetStore, AnExpiredWorkerCannotOverwriteTheReclaimersPoint) {
  auto slow = open_fleet_queue(uri_);
  auto fast = open_fleet_queue(uri_);
  slow->enqueue("q", "pi5", {{"m-sha-a", "sha-a", "k", "{}"}});
  const auto first = slow->claim("q", "pi5", "slow", "host-a", 2, 3, {});
  ASSERT_TRUE(first);
  EXPECT_FALSE(fast->claim("q", "pi5", "fast", "host-b", 60, 3, {}));  // the lease is live
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  const auto second = fast->claim("q", "pi5", "fast", "host-b", 60, 3, {});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, first->id);
  EXPECT_NE(second->token, first->token);
  EXPECT_EQ(second->attempts, 2);

  PointRecord late = testing::point_record("sha-a", 1);
  late.result.reason = "the slow one's";
  EXPECT_FALSE(slow->renew(*first, 60));
  EXPECT_FALSE(slow->complete(*first, &late, testing::store_test_host("host-a"), late.config.key()));
  EXPECT_FALSE(slow->release(*first, true, "gave up"));
  PointRecord mine = testing::point_record("sha-a", 1);
  EXPECT_TRUE(fast->complete(*second, &mine, testing::store_test_host("host-b"), mine.config.key()));

  const auto rows = open_store(uri_, OpenMode::kReadOnly)->rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hostname, "host-b");
  const auto status = fast->status("q");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].status, "done");
  EXPECT_EQ(status[0].worker, "fast");
  EXPECT_EQ(fast->unfinished("q", "pi5"), 0);
}

TEST_F(FleetStore, APointWhoseEveryLeaseRanOutFailsWithWhy) {
  auto queue = open_fleet_queue(uri_);
  queue->enqueue("q", "pi5", entries(1));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(queue->claim("q", "pi5", "doomed", "h", 0.05, 2, {}));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(queue->claim("q", "pi5", "next", "h", 60, 2, {}));
  const auto status = queue->status("q");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].status, "failed");
  EXPECT_NE(status[0].last_error.find("claimed 2 times without finishing"), std::string::npos)
      << status[0].last_error;
}

TEST_F(FleetStore, ReleasedPointsGoBackOrFailAndExcludedOnesAreSkipped) {
  auto queue = open_fleet_queue(uri_);
  queue->enqueue("q", "pi5", entries(2));
  const auto a = queue->claim("q", "pi5", "w", "h", 60, 3, {});
  ASSERT_TRUE(a);
  EXPECT_TRUE(queue->release(*a, false, "this device lacks the file"));
  const auto again = queue->claim("q", "pi5", "w", "h", 60, 3, {a->id});  // skips the excluded one
  ASSERT_TRUE(again);
  EXPECT_NE(again->id, a->id);
  EXPECT_TRUE(queue->release(*again, true, "engine crashed"));
  EXPECT_EQ(queue->unfinished("q", "pi5"), 1);
}

// `profile --enqueue --retry-invalid`: a point done INVALID is queued again, and the worker's new
// copy replaces this host's INVALID one.
TEST_F(FleetStore, InvalidPointsCanBeQueuedAgainAndReplaced) {
  auto queue = open_fleet_queue(uri_);
  const HostInfo host = testing::store_test_host("pi");
  PointRecord busy = testing::point_record("sha-i", 1);
  busy.result.verdict = Verdict::kInvalid;
  busy.result.reason = "the machine was busy";
  queue->enqueue("q", "pi5", {{"m-sha-i", "sha-i", busy.config.key(), "{}"}});
  const auto first = queue->claim("q", "pi5", "w", host.fingerprint(), 60, 3, {});
  ASSERT_TRUE(first);
  ASSERT_TRUE(queue->complete(*first, &busy, host, busy.config.key()));
  int64_t requeued = 0;
  EXPECT_EQ(queue->enqueue("q", "pi5", {{"m-sha-i", "sha-i", busy.config.key(), "{}"}}, true, &requeued), 0);
  EXPECT_EQ(requeued, 1);
  const auto again = queue->claim("q", "pi5", "w", host.fingerprint(), 60, 3, {});
  ASSERT_TRUE(again);
  const PointRecord calm = testing::point_record("sha-i", 1);
  ASSERT_TRUE(queue->complete(*again, &calm, host, calm.config.key(), true));
  const auto rows = queue->store().rows({});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, Verdict::kValid);
  EXPECT_EQ(queue->enqueue("q", "pi5", {}, true, &requeued), 0);
  EXPECT_EQ(requeued, 0);
}

TEST_F(FleetStore, AWrongPasswordIsOneSentenceWithoutThePassword) {
  const std::string uri = "postgresql://edgejoule_pw@/" + db_ + uri_.substr(uri_.find('?'));
  setenv("PGPASSWORD", "not-the-secret-xyz", 1);
  try {
    open_store(uri, OpenMode::kReadWrite);
    ADD_FAILURE() << "opened with a wrong password";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("refused the login"), std::string::npos) << message;
    EXPECT_NE(message.find("PGPASSWORD"), std::string::npos) << message;
    EXPECT_EQ(message.find("not-the-secret-xyz"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(e.exit_code(), 2);
  }
  setenv("PGPASSWORD", "fleet-test-secret", 1);
  EXPECT_NO_THROW(open_store(uri, OpenMode::kReadWrite));
  unsetenv("PGPASSWORD");
}

TEST_F(FleetStore, APasswordInTheUriIsRefusedAndMasked) {
  for (const std::string uri : {"postgresql://edgejoule_pw:fleet-test-secret@/x?host=/tmp",
                                "postgresql:///x?host=/tmp&password=fleet-test-secret"}) {
    try {
      open_store(uri, OpenMode::kReadWrite);
      ADD_FAILURE() << "accepted " << uri;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find("fleet-test-secret"), std::string::npos) << message;
      EXPECT_NE(message.find("PGPASSWORD or ~/.pgpass"), std::string::npos) << message;
    }
  }
}

TEST_F(FleetStore, AnUnreachableServerAndAMissingDatabaseAreOneSentenceEach) {
  try {
    open_store("postgresql://edgejoule@/x?host=/nonexistent-socket-dir", OpenMode::kReadOnly);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach the fleet store"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), 2);
  }
  try {
    open_store("postgresql://edgejoule@/no_such_db_here" + uri_.substr(uri_.find('?')), OpenMode::kReadOnly);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no such database"), std::string::npos) << e.what();
  }
}

TEST_F(FleetStore, AnotherApplicationsDatabaseIsRefusedAndLeftAlone) {
  testing::pg_sql(db_, "CREATE TABLE invoices (id int); CREATE TABLE meta (k text)");
  try {
    open_store(uri_, OpenMode::kReadWrite);
    ADD_FAILURE() << "opened another application's database";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another application's tables"), std::string::npos) << e.what();
  }
  EXPECT_EQ(testing::pg_sql(db_, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "2");
}

TEST_F(FleetStore, AStoreOfANewerSchemaIsRefused) {
  open_store(uri_, OpenMode::kReadWrite);
  testing::pg_sql(db_, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  try {
    open_store(uri_, OpenMode::kReadOnly);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer edgejoule (schema 99"), std::string::npos) << e.what();
  }
}

TEST_F(FleetStore, QueuesNeedTheFleetStore) {
  try {
    open_fleet_queue(::testing::TempDir() + "/fleet.db");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("need the PostgreSQL fleet store"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace edgejoule
