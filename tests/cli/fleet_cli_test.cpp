// The fleet as its users run it: a sweep planned into the PostgreSQL store's queue, workers on
// (simulated) devices, one of them killed mid-point, and the store's failures as one sentence.
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "store/fleet.h"
#include "support/pg_server.h"

namespace edgejoule::testing {
namespace {

class FleetCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (const auto why = pg_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    pg_db_ = "cli_";
    for (char c : name) pg_db_ += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    pg_db_ = pg_db_.substr(0, 60);
    uri_ = fresh_pg_database(pg_db_);
    ASSERT_FALSE(uri_.empty()) << "the test PostgreSQL server did not start (scripts/pg-test-server.sh)";
  }
  // Points at ~1 s each (three 0.25 s windows): long enough to kill a worker in the middle of one.
  ProcessResult enqueue(const std::string& zoo) {
    return edgejoule({"profile", "--db", uri_, "--queue", "lab", "--enqueue", "--zoo", zoo, "--engine", "torchscript",
                      "--threads", "1,2", "--batch", "1,2", "--warmup-s", "0.05", "--min-time-s", "0.25",
                      "--repetitions", "3", "--max-cv", "1.0", "--device-class", "sim-board"});
  }
  // A worker on simulated device `host` (its own host name, so its points are its own).
  pid_t spawn_worker(const std::string& host, const std::string& zoo = kZoo) {
    const std::string log = (dir_ / ("worker-" + host)).string();
    return spawn("/usr/bin/env", {"EDGEJOULE_HOSTNAME=" + host, kBinary, "worker", "--db", uri_, "--queue", "lab",
                                  "--zoo", zoo, "--device-class", "sim-board", "--lease-s", "1", "--poll-s", "0.1",
                                  "--name", host},
                 log + ".out", log + ".err");
  }
  std::string log(const std::string& host) const {
    std::ifstream in(dir_ / ("worker-" + host + ".err"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  int64_t sql(const std::string& query) const { return std::stoll("0" + pg_sql(pg_db_, query)); }
  nlohmann::json status() {
    const auto r = edgejoule({"queue", "status", "--db", uri_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  std::string pg_db_, uri_;
};

TEST_F(FleetCli, TwoWorkersAndAKilledThirdStoreEveryQueuedPointOnce) {
  const auto planned = enqueue(kZoo);
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_NE(planned.out.find("queued 8 new point(s) of 8 for device class 'sim-board'"), std::string::npos)
      << planned.out;
  EXPECT_NE(enqueue(kZoo).out.find("queued 0 new point(s) of 8"), std::string::npos);  // idempotent

  // The third worker takes a point and is killed in the middle of it.
  const pid_t doomed = spawn_worker("dev-c");
  bool claimed = false;
  for (int i = 0; i < 600 && !claimed; ++i) {
    for (const auto& row : status()) claimed |= row["worker"] == "dev-c" && row["status"] == "claimed";
    if (!claimed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(claimed) << log("dev-c");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(doomed, SIGKILL);
  EXPECT_EQ(wait_exit(doomed), 128 + SIGKILL);

  const pid_t a = spawn_worker("dev-a");
  const pid_t b = spawn_worker("dev-b");
  EXPECT_EQ(wait_exit(a), 0) << log("dev-a");
  EXPECT_EQ(wait_exit(b), 0) << log("dev-b");

  // Every queued point done, each with its own stored point, no (model, configuration) twice.
  int64_t done = 0;
  for (const auto& row : status()) {
    EXPECT_EQ(row["status"], "done") << row.dump();
    if (row["status"] == "done") done += row["points"].get<int64_t>();
  }
  EXPECT_EQ(done, 8);
  EXPECT_EQ(sql("SELECT count(*) FROM points"), 8);
  EXPECT_EQ(sql("SELECT count(DISTINCT point_id) FROM queue_items WHERE status = 'done'"), 8);
  EXPECT_EQ(sql("SELECT count(*) FROM (SELECT model_id, config_id FROM points GROUP BY 1, 2 HAVING count(*) > 1) d"), 0);
  // The killed worker's point was taken over after its lease ran out (a second claim).
  EXPECT_GE(sql("SELECT count(*) FROM queue_items WHERE attempts >= 2"), 1);
  EXPECT_GE(sql("SELECT count(DISTINCT host_id) FROM points"), 2);
  EXPECT_EQ(sql("SELECT count(*) FROM windows WHERE point_id NOT IN (SELECT id FROM points)"), 0);
}

TEST_F(FleetCli, ADeviceRefusesAModelFileOfOtherContentAndSaysSo) {
  ASSERT_EQ(enqueue(kZoo).exit_code, 0);
  const fs::path copy = dir_ / "zoo";
  fs::copy(kZoo, copy);
  {
    std::ofstream out(copy / "tiny_cnn.pt", std::ios::app | std::ios::binary);
    out << "another build";
  }
  const pid_t w = spawn_worker("dev-x", copy.string());
  EXPECT_EQ(wait_exit(w), 2) << log("dev-x");
  const std::string err = log("dev-x");
  EXPECT_NE(err.find("4 point(s) refused: this device lacks their model files with the queued content"),
            std::string::npos) << err;
  EXPECT_NE(err.find("tiny_cnn"), std::string::npos) << err;
  EXPECT_EQ(sql("SELECT count(*) FROM queue_items WHERE status = 'done'"), 4);     // tiny_mlp's
  EXPECT_EQ(sql("SELECT count(*) FROM queue_items WHERE status = 'pending'"), 4);  // for a device that has it
}

TEST_F(FleetCli, AWrongPasswordOrUnreachableServerIsOneSentenceAndNoSecretIsPrinted) {
  const std::string socket = uri_.substr(uri_.find('?'));
  setenv("PGPASSWORD", "wrong-secret-4711", 1);
  auto r = edgejoule({"list", "--db", "postgresql://edgejoule_pw@/" + pg_db_ + socket});
  unsetenv("PGPASSWORD");
  expect_bad_input(r, "refused the login");
  EXPECT_EQ(r.out.find("wrong-secret-4711") + r.err.find("wrong-secret-4711"), 2 * std::string::npos);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  r = profile({"--zoo", kZoo, "--db", "postgresql://edgejoule_pw:s3cret-in-uri@/" + pg_db_ + socket});
  expect_bad_input(r, "carries a password");
  EXPECT_EQ(r.err.find("s3cret-in-uri"), std::string::npos) << r.err;

  r = edgejoule({"worker", "--db", "postgresql://edgejoule@/x?host=/nonexistent-dir", "--queue", "q", "--zoo", kZoo});
  expect_bad_input(r, "cannot reach the fleet store");

  r = profile({"--zoo", kZoo, "--queue", "q", "--enqueue"});  // the fixture's SQLite store
  expect_bad_input(r, "need the PostgreSQL fleet store");
  EXPECT_EQ(sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0);  // nothing half-written
}

// Two offline devices' SQLite files merged into the fleet store and into SQLite: each point keeps
// its host, a second merge adds nothing, a newer copy replaces the stored one only with --replace,
// and a store of a newer schema is refused before anything is written.
TEST_F(FleetCli, MergeKeepsHostsIsIdempotentAndReplacesOnlyNewerCopiesWhenAsked) {
  const std::string a = (dir_ / "a.db").string(), b = (dir_ / "b.db").string();
  std::vector<std::string> quick = {"--zoo", kZoo, "--quiet"};
  quick.insert(quick.end(), kQuick.begin(), kQuick.end());
  auto profile_as = [&](const std::string& host, const std::string& db, bool force) {
    std::vector<std::string> args = {"EDGEJOULE_HOSTNAME=" + host, kBinary, "profile", "--db", db};
    args.insert(args.end(), quick.begin(), quick.end());
    if (force) args.push_back("--force");
    return run("/usr/bin/env", args);
  };
  ASSERT_EQ(profile_as("pi-a", a, false).exit_code, 0);
  ASSERT_EQ(profile_as("pi-b", b, false).exit_code, 0);
  for (const std::string& into : {uri_, (dir_ / "merged.db").string()}) {
    auto r = edgejoule({"merge", a, b, "--into", into});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("4 point(s) added, 0 replaced, 0 already there"), std::string::npos) << r.out;
    r = edgejoule({"merge", a, b, "--into", into});
    EXPECT_NE(r.out.find("0 point(s) added, 0 replaced, 4 already there"), std::string::npos) << r.out;
    r = edgejoule({"list", "--db", into, "--json"});
    const auto rows = nlohmann::json::parse(r.out);
    ASSERT_EQ(rows.size(), 4u);
    std::set<std::string> hosts;
    for (const auto& row : rows) hosts.insert(row["host"]["hostname"].get<std::string>());
    EXPECT_EQ(hosts, (std::set<std::string>{"pi-a", "pi-b"}));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // stored_at has whole seconds
  ASSERT_EQ(profile_as("pi-a", a, true).exit_code, 0);  // newer copies of pi-a's two points
  auto r = edgejoule({"merge", a, "--into", uri_});
  EXPECT_NE(r.out.find("0 point(s) added, 0 replaced, 2 already there"), std::string::npos) << r.out;
  r = edgejoule({"merge", a, "--into", uri_, "--replace"});
  EXPECT_NE(r.out.find("0 point(s) added, 2 replaced, 0 already there"), std::string::npos) << r.out;
  EXPECT_EQ(sql("SELECT count(*) FROM points"), 4);
  EXPECT_EQ(sql("SELECT count(*) FROM windows WHERE point_id NOT IN (SELECT id FROM points)"), 0);

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(b.c_str(), &raw), SQLITE_OK);
  sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  r = edgejoule({"merge", b, "--into", uri_});
  expect_bad_input(r, "newer edgejoule (schema 99");
}

// recommend, frontier and report over a fleet store compare device types side by side (a second
// device type simulated with another machine's /proc: --sysfs-root).
TEST_F(FleetCli, RecommendFrontierAndReportShowEachDeviceType) {
  std::vector<std::string> quick = {"--zoo", kFmnistZoo, "--quiet", "--meter", "estimate", "--dataset",
                                    "fmnist:test,limit=300"};
  quick.insert(quick.end(), kQuick.begin(), kQuick.end());
  for (const std::string host : {"board-a", "board-b"}) {
    std::vector<std::string> args = {"EDGEJOULE_HOSTNAME=" + host, kBinary};
    if (host == "board-b") args.insert(args.end(), {"--sysfs-root", std::string(EDGEJOULE_TEST_FIXTURES) + "/host-tree"});
    args.insert(args.end(), {"profile", "--db", uri_});
    args.insert(args.end(), quick.begin(), quick.end());
    const auto r = run("/usr/bin/env", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto r = edgejoule({"recommend", "--db", uri_, "--energy-budget-j", "10", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rec = nlohmann::json::parse(r.out);
  ASSERT_EQ(rec["per_device_type"].size(), 2u) << r.out;
  int fake = 0;  // the simulated type; this machine's CPU model decides the order
  for (const auto& g : rec["per_device_type"]) {
    const bool simulated = g["group"].get<std::string>().find("Fake CPU 9000 @ 2.00GHz, 4 CPUs") != std::string::npos;
    fake += simulated;
    EXPECT_EQ(g["hosts"], nlohmann::json::array({simulated ? "board-b" : "board-a"})) << g.dump();
    EXPECT_FALSE(g["chosen"].is_null()) << g.dump();
  }
  EXPECT_EQ(fake, 1) << r.out;
  EXPECT_EQ(rec["per_host"].size(), 2u);
  r = edgejoule({"recommend", "--db", uri_, "--energy-budget-j", "10"});
  EXPECT_NE(r.out.find("Per device type (each on its own, same constraints):"), std::string::npos) << r.out;
  r = edgejoule({"frontier", "--db", uri_, "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["per_device_type"].size(), 2u) << r.out;
  const std::string html = (dir_ / "fleet.html").string();
  r = edgejoule({"report", "--db", uri_, "--out", html, "--energy-budget-j", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(page.find("id=\"device-types\""), std::string::npos);
  EXPECT_NE(page.find("<td>board-b</td>"), std::string::npos);
}

}  // namespace
}  // namespace edgejoule::testing

namespace edgejoule::testing {
namespace {

// Outages of the fleet store's server, on a server of each test's own (halting the suite's shared
// one would cut off the tests running beside them), stopped and removed afterwards.
class FleetOutage : public FleetCli {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (const auto why = pg_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
    // A server per test: ctest runs these tests at the same time, and each halts its own.
    std::string tag;
    for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
      if (std::isalnum(static_cast<unsigned char>(c)) && tag.size() < 10) tag += static_cast<char>(std::tolower(c));
    }
    instance_ = std::string(EDGEJOULE_TEST_PG_INSTANCE) + "-" + tag;
    pg_db_ = "outage";
    uri_ = pg_server_script("createdb " + instance_ + " " + pg_db_);
    ASSERT_FALSE(uri_.empty()) << "the outage tests' PostgreSQL server did not start";
  }
  void TearDown() override {
    if (!instance_.empty()) pg_server_script("stop " + instance_);
    CliTest::TearDown();
  }
  pid_t spawn_worker_with(const std::string& host, std::vector<std::string> extra) {
    const std::string log = (dir_ / ("worker-" + host)).string();
    std::vector<std::string> args = {"EDGEJOULE_HOSTNAME=" + host, kBinary, "worker", "--db", uri_, "--queue", "lab",
                                     "--zoo", kZoo, "--device-class", "sim-board", "--lease-s", "1", "--poll-s",
                                     "0.1", "--name", host};
    args.insert(args.end(), extra.begin(), extra.end());
    return spawn("/usr/bin/env", args, log + ".out", log + ".err");
  }
  int64_t outage_sql(const std::string& query) {
    std::string quoted = "'";
    for (char c : query) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return std::stoll("0" + pg_server_script("psql " + instance_ + " " + pg_db_ + " " + quoted + "'"));
  }
  void wait_until_claimed(const std::string& host) {
    for (int i = 0; i < 600; ++i) {
      if (outage_sql("SELECT count(*) FROM queue_items WHERE status = 'claimed'") > 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "no point was claimed: " << log(host);
  }
  void halt() { pg_server_script("halt " + instance_); }
  void resume() { ASSERT_FALSE(pg_server_script("start " + instance_).empty()); }

  std::string instance_;
};

// The server restarts (killed, down for two seconds, started again) while a worker measures a
// point: the worker keeps the point, reconnects, stores it once and finishes the queue.
TEST_F(FleetOutage, AWorkerRidesOutAServerRestartAndStoresEveryPointOnce) {
  ASSERT_EQ(enqueue(kZoo).exit_code, 0);
  const pid_t w = spawn_worker_with("dev-a", {"--give-up-s", "60"});
  wait_until_claimed("dev-a");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  halt();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  resume();
  EXPECT_EQ(wait_exit(w), 0) << log("dev-a");
  EXPECT_NE(log("dev-a").find("reconnected to the fleet store"), std::string::npos) << log("dev-a");
  EXPECT_EQ(outage_sql("SELECT count(*) FROM queue_items WHERE status = 'done'"), 8);
  EXPECT_EQ(outage_sql("SELECT count(*) FROM points"), 8);
  EXPECT_EQ(outage_sql("SELECT count(*) FROM (SELECT model_id, config_id FROM points GROUP BY 1, 2 HAVING count(*) > 1) d"),
            0);
  EXPECT_EQ(outage_sql("SELECT count(*) FROM queue_items WHERE status = 'failed'"), 0);
}

// A server that stays away: the worker gives up after --give-up-s, exit 1 (a failure at run time,
// not bad input), naming the store without a password and how long it tried.
TEST_F(FleetOutage, AWorkerGivesUpAfterGiveUpSWithExitOne) {
  ASSERT_EQ(enqueue(kZoo).exit_code, 0);
  const pid_t w = spawn_worker_with("dev-b", {"--give-up-s", "2"});
  wait_until_claimed("dev-b");
  halt();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_exit(w), 1) << log("dev-b");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30);
  const std::string err = log("dev-b");
  EXPECT_NE(err.find("stayed unreachable for"), std::string::npos) << err;
  EXPECT_NE(err.find("postgresql://edgejoule@/outage"), std::string::npos) << err;
  resume();
}

// A --follow worker never gives up: through an outage it waits, then takes new points.
TEST_F(FleetOutage, AFollowingWorkerWaitsThroughAnOutage) {
  const pid_t w = spawn_worker_with("dev-f", {"--follow", "--give-up-s", "1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  halt();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // past its --give-up-s, which --follow overrides
  resume();
  ASSERT_EQ(enqueue(kZoo).exit_code, 0);
  for (int i = 0; i < 600 && outage_sql("SELECT count(*) FROM queue_items WHERE status = 'done'") < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(outage_sql("SELECT count(*) FROM queue_items WHERE status = 'done'"), 8) << log("dev-f");
  kill(w, SIGINT);
  EXPECT_EQ(wait_exit(w), 130) << log("dev-f");
}

// Claims that ran out during an outage are not attempts: with one attempt allowed, a claim lost
// to a server restart and one lost to the worker's own dropped connection each leave the point to
// be claimed again (not failed), and queue status counts them apart.
TEST_F(FleetOutage, ClaimsLostToOutagesAreNotAttempts) {
  auto queue = open_fleet_queue(uri_);
  ASSERT_EQ(queue->enqueue("lab", "sim-board", {{"m1", "sha1", "k1", "{}"}, {"m2", "sha2", "k2", "{}"}}), 2);
  const auto first = queue->claim("lab", "sim-board", "a", "fp", 1.5, 1, {});
  ASSERT_TRUE(first);
  // The server restarts while worker a holds its claim, and stays down past the lease (after the
  // test server's asynchronous commit has written the claim).
  queue.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  halt();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  resume();
  queue = open_fleet_queue(uri_);
  const auto again = queue->claim("lab", "sim-board", "b", "fp", 30, 1, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->attempts, 1);  // b's claim is the first that counts
  EXPECT_FALSE(queue->complete(*first, nullptr, HostInfo{}, "k1"));  // a's claim is gone
  queue->lost_to_outage(*first);  // what worker a says when it finds out: already counted once
  EXPECT_EQ(outage_sql("SELECT outage_losses FROM queue_items WHERE id = " + std::to_string(first->id)), 1);
  EXPECT_EQ(outage_sql("SELECT attempts FROM queue_items WHERE id = " + std::to_string(first->id)), 1);

  // Worker c's connection drops (no restart): its lease runs out, and the next claim, with one
  // attempt allowed, fails the point; c, back, says its claim was lost to the outage.
  const auto second = queue->claim("lab", "sim-board", "c", "fp", 0.3, 1, {});
  ASSERT_TRUE(second);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_FALSE(queue->claim("lab", "sim-board", "d", "fp", 30, 1, {first->id}));
  EXPECT_EQ(outage_sql("SELECT count(*) FROM queue_items WHERE status = 'failed'"), 1);
  queue->lost_to_outage(*second);
  EXPECT_EQ(outage_sql("SELECT count(*) FROM queue_items WHERE status = 'failed'"), 0);
  const auto third = queue->claim("lab", "sim-board", "d", "fp", 30, 1, {first->id});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->id, second->id);
  EXPECT_EQ(third->attempts, 1);

  const auto status = edgejoule({"queue", "status", "--db", uri_});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("2 claim(s) lost to outages (not counted as attempts)"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace edgejoule::testing
