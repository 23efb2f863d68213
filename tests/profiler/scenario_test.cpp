// The scenarios' ways of issuing queries (profiler/scenario.h) on synthetic engines whose call
// takes a known time: the server's queueing delay and utilisation against queueing theory, the
// offline scenario's throughput with requests in flight, saturation and the latency bound.
#include "profiler/scenario.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "profiler/protocol.h"
#include "profiler/sweep.h"
#include "support/fake_engine.h"

namespace edgejoule {
namespace {

using std::chrono::microseconds;

// A call that sleeps its service time: on a loaded machine a sleep is late by the scheduler's
// delay, not stretched by other work as a busy-wait is, and it leaves the cores to the harness.
class SleepingEngine : public testing::FakeEngine {
 public:
  explicit SleepingEngine(microseconds service) : FakeEngine([](int64_t) { return microseconds(0); }), service_(service) {}
  void run() override { std::this_thread::sleep_for(service_); }
  void run_request(int) override { std::this_thread::sleep_for(service_); }

 private:
  microseconds service_;
};

// Mean wait in the queue of a single server with service time `service_s` for these arrivals
// (Lindley's recursion: W[n+1] = max(0, W[n] + S - A[n+1])).
double lindley_mean_wait_s(const std::vector<double>& arrivals, double service_s) {
  double wait = 0, sum = 0;
  for (size_t n = 1; n < arrivals.size(); ++n) {
    wait = std::max(0.0, wait + service_s - (arrivals[n] - arrivals[n - 1]));
    sum += wait;
  }
  return sum / static_cast<double>(arrivals.size());
}

Configuration server_config(double rate, int concurrency = 1) {
  Configuration c;
  c.sample_shape = {3, 8, 8};
  c.knobs["scenario"] = "server";
  c.knobs["rate"] = fmt::format("{:g}", rate);
  if (concurrency != 1) c.knobs["concurrency"] = std::to_string(concurrency);
  return c;
}

// Two windows of `window_s`, one warm-up call; the windows' spread is not what these tests check.
ProtocolSettings two_windows(double window_s) {
  ProtocolSettings p;
  p.warmup_s = 0;
  p.warmup_min_iterations = 1;
  p.min_time_s = window_s;
  p.repetitions = 2;
  p.max_cv = 10;
  return p;
}

TEST(Arrivals, PoissonArrivalsAreSeededAndHaveTheRate) {
  const auto a = poisson_arrivals_s(200, 50, 1, 42);
  EXPECT_EQ(a, poisson_arrivals_s(200, 50, 1, 42));
  EXPECT_NE(a, poisson_arrivals_s(200, 50, 1, 43));
  ASSERT_TRUE(std::is_sorted(a.begin(), a.end()));
  // Given its count: exactly rate x span arrivals, within the span.
  EXPECT_EQ(a.size(), 10000u);
  EXPECT_GE(a.front(), 0);
  EXPECT_LT(a.back(), 50);
  // Exponential gaps: the coefficient of variation of the gaps is 1.
  std::vector<double> gaps;
  for (size_t i = 1; i < a.size(); ++i) gaps.push_back(a[i] - a[i - 1]);
  const double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / gaps.size();
  double var = 0;
  for (double g : gaps) var += (g - mean) * (g - mean);
  EXPECT_NEAR(std::sqrt(var / gaps.size()) / mean, 1.0, 0.05);
  // At least min_queries, the span stretched so the rate holds.
  const auto few = poisson_arrivals_s(1, 0.001, 25, 1);
  EXPECT_EQ(few.size(), 25u);
  EXPECT_LT(few.back(), 25);
  EXPECT_GT(few.back(), 10);
}

// M/D/1 (Poisson arrivals, deterministic service D, one server): mean queueing delay
// rho x D / (2 (1 - rho)). The generator (Poisson given its count) and the recursion reproduce
// it over many arrivals.
TEST(Arrivals, TheQueueOfTheseArrivalsIsTheMD1Queue) {
  const double rate = 100, service_s = 0.006, rho = rate * service_s;
  const double expected = rho * service_s / (2 * (1 - rho));
  const auto arrivals = poisson_arrivals_s(rate, 2000, 1, 7);
  EXPECT_NEAR(lindley_mean_wait_s(arrivals, service_s), expected, expected * 0.05);
}

// The server scenario on an engine whose call takes 5 ms, at 80 queries/s (utilisation 0.4):
// queries are issued at their arrival times, latency counts the queueing, and the window's
// queueing delay and busy share are those of the queue these arrivals make. Tolerance: the
// harness's wake-ups and the sleeps' lateness add up to about a millisecond under load, so
// the mean queueing delay is held to 1 ms + 35 % of the recursion's, the busy share to 0.08.
TEST(ServerScenario, QueueingDelayAndUtilisationMatchTheQueue) {
  const double rate = 80, service_s = 0.005;
  SleepingEngine engine(microseconds(5000));
  ScenarioSettings s;
  s.scenario = "server";
  s.rate_qps = rate;
  s.arrival_seed = 11;
  const double window_s = 3;
  const auto w = issue_window(engine, s, window_s, 1, 1.0);
  const auto arrivals = poisson_arrivals_s(rate, window_s, 1, 11);
  ASSERT_EQ(w.latencies_ms.size(), arrivals.size());
  EXPECT_EQ(w.dropped_queries, 0);
  EXPECT_GE(w.duration_s, arrivals.back());
  // The call time as the engine really took it (a sleep is never early).
  EXPECT_GE(w.service_ms_mean, 5.0);
  const double measured_service_s = w.service_ms_mean / 1000;
  const double mean_latency_ms = std::accumulate(w.latencies_ms.begin(), w.latencies_ms.end(), 0.0) / w.latencies_ms.size();
  const double queueing_ms = mean_latency_ms - w.service_ms_mean;
  const double expected_ms = lindley_mean_wait_s(arrivals, measured_service_s) * 1000;
  EXPECT_NEAR(queueing_ms, expected_ms, 1.0 + 0.35 * expected_ms)
      << "mean latency " << mean_latency_ms << " ms, service " << w.service_ms_mean << " ms";
  // Utilisation: arrivals x call time / window.
  const double expected_busy = arrivals.size() * measured_service_s / w.duration_s;
  EXPECT_NEAR(w.busy_fraction, expected_busy, 0.08);
  EXPECT_NEAR(expected_busy, rate * service_s, 0.08);  // exactly rate x window arrivals
}

TEST(ServerScenario, TwoRequestsServeTwiceTheRateWithoutDropping) {
  SleepingEngine engine(microseconds(10000));
  ScenarioSettings s;
  s.scenario = "server";
  s.rate_qps = 150;  // 1.5 x what one request at 10 ms serves
  s.requests = 2;
  const auto w = issue_window(engine, s, 1.0, 1, 1.0);
  EXPECT_EQ(w.dropped_queries, 0);
  EXPECT_NEAR(w.busy_fraction, 0.75, 0.2);
}

TEST(OfflineScenario, RequestsInFlightMultiplyThroughput) {
  SleepingEngine engine(microseconds(4000));
  ScenarioSettings s;
  s.scenario = "offline";
  s.requests = 4;
  const auto w = issue_window(engine, s, 0.4, 1, 1.0);
  // Four sleeping requests at once: about 4 / 4 ms = 1000 calls per second.
  const double per_s = w.latencies_ms.size() / w.duration_s;
  EXPECT_GT(per_s, 600);
  EXPECT_LE(per_s, 1000.5);
  EXPECT_GT(w.busy_fraction, 0.8);
}

TEST(ServerScenario, ARateTheDeviceCannotServeIsInvalidAndDoesNotHang) {
  SleepingEngine engine(microseconds(20000));  // 50 queries/s at most
  ProfileListener none;
  const ProtocolSettings p = two_windows(1.0);
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_protocol(engine, server_config(500), p, none, {});
  const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.reason.find("saturated: 500 queries/s"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("lower --rate"), std::string::npos) << r.reason;
  EXPECT_GT(r.dropped_queries, 0);
  // Each window stops 1 s (the drain) after its last arrival instead of serving 10 s of backlog.
  EXPECT_LT(took_s, 2 * (1.0 + 1.0) + 2);
}

TEST(ServerScenario, AP99OverTheLatencyBoundIsInvalid) {
  SleepingEngine engine(microseconds(8000));
  ProfileListener none;
  const ProtocolSettings p = two_windows(0.5);
  auto config = server_config(20);
  config.knobs["latency_bound_ms"] = "2";  // shorter than one call
  const auto r = run_protocol(engine, config, p, none, {});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.reason.find("over the 2 ms bound (--latency-bound-ms)"), std::string::npos) << r.reason;
  config.knobs["latency_bound_ms"] = "1000";
  const auto ok = run_protocol(engine, config, p, none, {});
  EXPECT_EQ(ok.verdict, Verdict::kValid) << ok.reason;
  EXPECT_EQ(ok.requests_in_flight, 1);
  ASSERT_TRUE(ok.busy_fraction);
  EXPECT_LT(*ok.busy_fraction, 0.5);  // 20/s x 8 ms = 0.16: mostly idle between arrivals
}

}  // namespace
}  // namespace edgejoule
