// The scenarios from the command line: flags that cannot apply are the user's to fix, energy at
// an arrival rate with an external meter of known constant power, requests in flight stored.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <optional>

#include "cli/cli_fixture.h"
#include "profiler/scenario.h"
#include "support/power_log_writer.h"

namespace edgejoule::testing {
namespace {

TEST_F(CliTest, ScenarioFlagsThatCannotApplyAreBadInputAndStoreNothing) {
  const std::string model = kZoo + "/tiny_cnn.pt";
  expect_bad_input(profile({model, "--rate", "10"}), "--rate applies only with --scenario server");
  expect_bad_input(profile({model, "--scenario", "offline", "--rate", "10"}), "--rate applies only with --scenario server");
  expect_bad_input(profile({model, "--scenario", "server"}), "--scenario server needs --rate R");
  expect_bad_input(profile({model, "--scenario", "offline", "--concurrency", "0"}),
                   "invalid value '0' for --concurrency: give a whole number from 1 to 4096");
  expect_bad_input(profile({model, "--scenario", "server", "--rate", "0"}), "invalid value '0' for --rate");
  expect_bad_input(profile({model, "--scenario", "batch"}), "unknown value 'batch' for --scenario");
  EXPECT_FALSE(fs::exists(db_) && points() > 0);
}

// A log of constant P watts: a server point's energy per inference is the whole window's
// energy, idle gaps included, over the queries it completed: P x window / queries = P / rate.
TEST_F(CliTest, EnergyAtARateIsTheWholeWindowsEnergyOverItsQueries) {
  const std::string log = (dir_ / "power.csv").string();
  const double power_w = 20, rate = 40;
  std::optional<PowerLogWriter> writer;
  writer.emplace(log, power_w, 0.05, 20);
  const auto r = profile({kZoo + "/tiny_cnn.pt", "--threads", "1", "--meter", "log:" + log, "--scenario", "server",
                          "--rate", "40", "--min-time-s", "1", "--arrival-seed", "5", "--json"});
  writer.reset();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 1u);
  const auto& p = doc[0];
  EXPECT_EQ(p["config"]["scenario"], "server");
  EXPECT_EQ(p["config"]["rate"], 40.0);
  EXPECT_EQ(p["scenario"]["arrival_seed"], 5);
  EXPECT_EQ(p["scenario"]["requests_in_flight"], 1);
  EXPECT_EQ(p["scenario"]["dropped_queries"], 0);
  // A call of tiny_cnn takes well under a millisecond: at 40 queries/s the device is mostly idle.
  EXPECT_LT(p["scenario"]["busy_fraction"].get<double>(), 0.2);
  // The window is the arrivals' span, 1 s (--min-time-s), holding rate x 1 s arrivals.
  const auto arrivals = poisson_arrivals_s(rate, 1.0, 1, 5);
  ASSERT_EQ(arrivals.size(), 40u);
  const double expected_j = power_w * 1.0 / static_cast<double>(arrivals.size());
  const double energy_j = p["energy"]["j_per_inference"].get<double>();
  EXPECT_NEAR(energy_j, expected_j, expected_j * 0.03);
  EXPECT_NEAR(p["energy"]["mean_power_w"].get<double>(), power_w, power_w * 0.02);
  EXPECT_EQ(p["status"], "VALID") << p["reason"];
}

TEST_F(CliTest, OfflineStoresTheRequestsInFlightTheEngineMade) {
  const auto r = profile({kZoo + "/tiny_cnn.pt", "--threads", "2", "--scenario", "single-stream,offline",
                          "--concurrency", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 2u);
  for (const auto& p : doc) {
    const bool offline = p["config"]["scenario"] == "offline";
    EXPECT_EQ(p["config"]["concurrency"], offline ? 2 : 1);
    EXPECT_EQ(p["scenario"]["requests_in_flight"], offline ? 2 : 1);
  }
  // What LibTorch applied, read back in its workers: 2 requests of 1 intra-op thread each.
  EXPECT_EQ(query("SELECT count(*) FROM points WHERE requests_in_flight = 2 AND "
                  "json_extract(settings_json, '$.effective.concurrency') = 2 AND "
                  "json_extract(settings_json, '$.effective.requests') = 2 AND "
                  "json_extract(settings_json, '$.effective.threads_per_request') = 1"), 1);
}

}  // namespace
}  // namespace edgejoule::testing
