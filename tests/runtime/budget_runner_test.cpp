// The budget runner's control loop, exactly: a synthetic workload whose calls take known times
// at known powers, on a simulated clock, with a meter that integrates that power. No sleeps, no
// engines: every figure below follows from the numbers given.

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "runtime/budget_runner.h"

namespace edgejoule {
namespace {

// The device: time advances only when the workload runs or the runner waits, and the meter's
// cumulative energy follows the power drawn meanwhile.
struct SimulatedDevice : Clock, Meter, Workload {
  struct Option {
    double latency_s;
    double power_w;
    double load_s = 0.2;
  };
  std::vector<Option> options;
  double idle_w = 0;
  double t = 1000;
  double energy = 0;
  std::vector<std::pair<double, double>> curve{{1000, 0}};
  // Power multiplies by `drift` from `drift_after_s` (since the first call) on; calls on the
  // options in `slowed` take `slowdown` times longer from then on (a competing load).
  double drift = 1, slowdown = 1, drift_after_s = 1e300, first_call_t = -1;
  double meter_dies_at = 1e300;  // no reading covers a time after this
  std::vector<size_t> slowed;
  std::vector<int> loaded_now;
  int max_loaded = 0, loads = 0;

  explicit SimulatedDevice(std::vector<Option> o) : options(std::move(o)), loaded_now(options.size(), 0) {}

  void advance(double seconds, double power_w) {
    t += seconds;
    energy += seconds * power_w;
    curve.emplace_back(t, energy);
  }
  bool drifted() const { return first_call_t >= 0 && t - first_call_t >= drift_after_s; }

  // Clock
  double now_s() override { return t; }
  void sleep_until(double t_s) override {
    if (t_s > t) advance(t_s - t, idle_w * (drifted() ? drift : 1));
  }
  // Workload
  void load(size_t option) override {
    loads++;
    loaded_now[option] = 1;
    int n = 0;
    for (int l : loaded_now) n += l;
    max_loaded = std::max(max_loaded, n);
    advance(options[option].load_s, options[option].power_w);
  }
  void unload(size_t option) override { loaded_now[option] = 0; }
  std::optional<bool> infer(size_t option, int64_t index) override {
    EXPECT_TRUE(loaded_now[option]) << "option " << option << " run while not loaded";
    if (first_call_t < 0) first_call_t = t;
    const auto& o = options[option];
    const bool slow = drifted() && std::find(slowed.begin(), slowed.end(), option) != slowed.end();
    advance(o.latency_s * (slow ? slowdown : 1), o.power_w * (drifted() ? drift : 1));
    return index % 4 != 0 || option == 1;  // option 0 is right 75 % of the time, option 1 always
  }
  // Meter
  MeterInfo info() const override {
    MeterInfo m;
    m.name = "simulated";
    m.provenance = "measured:simulated";
    m.update_period_s = 0.001;
    return m;
  }
  void start() override {}
  void stop() override {}
  void sample_now() override {}
  EnergyReading energy_between(double t0, double t1, double) override {
    EnergyReading r;
    auto at = [&](double x) {
      for (size_t i = 1; i < curve.size(); ++i) {
        if (curve[i].first >= x) {
          const auto& [ta, ea] = curve[i - 1];
          const auto& [tb, eb] = curve[i];
          return tb == ta ? eb : ea + (eb - ea) * (x - ta) / (tb - ta);
        }
      }
      return curve.back().second;
    };
    r.valid = t1 <= t + 1e-12 && t1 <= meter_dies_at;
    if (t1 > meter_dies_at) r.why_invalid = "the log stopped growing";
    r.energy_j = at(t1) - at(t0);
    r.updates = 100;
    return r;
  }
  int update_count() const override { return 100; }
  double measured_update_period_s() const override { return 0.001; }
};

struct Recorder : RunListener {
  std::vector<std::string> events;
  std::vector<RunProgress> progress;
  void on_event(const std::string& e) override { events.push_back(e); }
  void on_progress(const RunProgress& p) override { progress.push_back(p); }
};

// Two configurations: 10 ms at 5 W (50 mJ, 75 %) and 40 ms at 5 W (200 mJ, 100 %), and a third
// no mix would use (150 mJ, 80 %: below the chord of the other two).
RunPlan two_options(double budget_j, int64_t n) {
  RunPlan plan;
  plan.options = {{"cheap", 1, 0.05, 0.05, 10, 75, "measured:test", std::nullopt},
                  {"dear", 2, 0.20, 0.20, 40, 100, "measured:test", std::nullopt},
                  {"below-the-chord", 3, 0.15, 0.15, 30, 80, "measured:test", std::nullopt}};
  plan.budget_j = budget_j;
  plan.inferences = n;
  plan.window_s = 0.5;
  return plan;
}
SimulatedDevice device_for_two() { return SimulatedDevice({{0.010, 5.0}, {0.040, 5.0}, {0.030, 5.0}}); }

TEST(MixPlan, HullSkipsThePointBelowTheChordAndSharesTheBudget) {
  const std::vector<MixOption> options{{0.05, 75}, {0.20, 100}, {0.15, 80}, {0.30, 99}};
  EXPECT_EQ(mix_hull(options), (std::vector<size_t>{0, 1}));
  const auto mix = plan_mix(options, 0.11);
  ASSERT_TRUE(mix);
  EXPECT_EQ(mix->cheaper, 0u);
  EXPECT_EQ(mix->dearer, 1u);
  EXPECT_NEAR(mix->dearer_share, 0.4, 1e-12);
  EXPECT_NEAR(mix->energy_j, 0.11, 1e-12);
  EXPECT_NEAR(mix->top1, 85.0, 1e-9);
  EXPECT_FALSE(plan_mix(options, 0.049));
  const auto rich = plan_mix(options, 1.0);
  ASSERT_TRUE(rich);
  EXPECT_EQ(rich->cheaper, 1u);
  EXPECT_EQ(rich->dearer, 1u);
  EXPECT_TRUE(rich->budget_exceeds_dearest);
}

TEST(MixPlan, ScheduleHoldsTheShareOverEveryStretch) {
  Mix mix;
  mix.cheaper = 0;
  mix.dearer = 1;
  mix.dearer_share = 0.3;
  MixSchedule schedule;
  schedule.set(mix);
  std::vector<int> picks;
  for (int i = 0; i < 1000; ++i) picks.push_back(static_cast<int>(schedule.next()));
  for (size_t len : {10u, 37u, 100u}) {
    for (size_t s = 0; s + len <= picks.size(); s += 7) {
      int dear = 0;
      for (size_t i = s; i < s + len; ++i) dear += picks[i];
      EXPECT_LE(std::abs(dear - 0.3 * static_cast<double>(len)), 1.0) << "stretch " << s << "+" << len;
    }
  }
  // In blocks (one loaded at a time): runs of the dearer one, the same share over the run.
  MixSchedule blocks;
  blocks.set(mix, 6);
  int dear = 0, switches = 0, last = 0;
  for (int i = 0; i < 1000; ++i) {
    const int p = static_cast<int>(blocks.next());
    dear += p;
    if (i > 0 && p != last) switches++;
    last = p;
  }
  EXPECT_NEAR(dear / 1000.0, 0.3, 0.01);
  EXPECT_LE(switches, 2 * 1000 * 0.3 / 6 + 2);
}

TEST(BudgetRunner, SpendsTheBudgetWithTheMixItPlanned) {
  auto device = device_for_two();
  Recorder listener;
  const auto plan = two_options(0.11 * 2000, 2000);
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(report.status, RunStatus::kCompleted);
  EXPECT_EQ(report.inferences_done, 2000);
  ASSERT_TRUE(report.energy_j);
  const double use = *report.energy_j / plan.budget_j;
  EXPECT_LE(use, 1.0);
  EXPECT_GE(use, 0.97);
  EXPECT_EQ(report.first_mix.cheaper, 0u);
  EXPECT_EQ(report.first_mix.dearer, 1u);
  // 0.11 J less the 1 % margin and the 2 % reserve: (0.11 x 0.99 x 0.98 - 0.05) / 0.15.
  EXPECT_NEAR(report.first_mix.dearer_share, (0.11 * 0.99 * 0.98 - 0.05) / 0.15, 1e-9);
  EXPECT_EQ(report.usage[2].inferences, 0);  // below the chord: never run
  const double share = static_cast<double>(report.usage[1].inferences) / 2000;
  EXPECT_NEAR(share, 0.4, 0.03);
  // Right on every input of the dear one and 3 in 4 of the cheap one's.
  EXPECT_EQ(report.labelled(), 2000);
  EXPECT_NEAR(100.0 * static_cast<double>(report.correct()) / 2000, 75 + 25 * share, 1.5);
  EXPECT_GT(report.switches, 500);
  EXPECT_EQ(device.max_loaded, 2);
  EXPECT_FALSE(listener.progress.empty());
  EXPECT_NEAR(report.usage[0].live_energy_j, 0.05, 1e-6);
  EXPECT_NEAR(report.usage[1].live_energy_j, 0.20, 1e-6);
}

TEST(BudgetRunner, RefusesABudgetBelowTheCheapestBeforeRunningAnything) {
  auto device = device_for_two();
  Recorder listener;
  const auto plan = two_options(0.04 * 100, 100);
  try {
    run_under_budget(plan, device, device, device, listener);
    FAIL() << "ran a budget it cannot cover";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_NE(std::string(e.what()).find("cannot cover 100 inferences even at the cheapest configuration (cheap at 0.05 J"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(device.loads, 0);
}

TEST(BudgetRunner, ReplansAfterAStepInPowerAndStaysWithinTheBudget) {
  auto device = device_for_two();
  device.drift = 1.2;
  device.drift_after_s = 25;  // about halfway
  Recorder listener;
  const auto plan = two_options(0.11 * 2000, 2000);
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(report.status, RunStatus::kCompleted);
  ASSERT_TRUE(report.energy_j);
  EXPECT_LE(*report.energy_j / plan.budget_j, 1.0);
  EXPECT_GE(*report.energy_j / plan.budget_j, 0.97);
  // The costs read after the step are 20 % above the stored ones, and the dear one's share fell.
  EXPECT_NEAR(report.usage[0].live_energy_j, 0.06, 0.002);
  EXPECT_NEAR(report.usage[1].live_energy_j, 0.24, 0.008);
  // Before the step (0.1078 J planned per inference): (0.1078 - 0.05) / 0.15 = 0.385 on the dear
  // one; after it, about (0.1078 - 0.06) / 0.18 = 0.27, lower still while the reserve grows with
  // the misprediction the step caused.
  double lowest_after = 1;
  for (const auto& p : listener.progress) {
    if (p.done > 1200 && p.done < 1500) lowest_after = std::min(lowest_after, p.mix.dearer_share);
    if (p.done < 1000) EXPECT_NEAR(p.mix.dearer_share, report.first_mix.dearer_share, 0.02);
  }
  EXPECT_LT(lowest_after, report.first_mix.dearer_share - 0.1);
}

TEST(BudgetRunner, AConfigurationSlowedOnTheDeviceIsReestimatedOnItsOwn) {
  auto device = device_for_two();
  device.slowdown = 1.5;
  device.slowed = {1};
  device.drift_after_s = 0;
  Recorder listener;
  const auto plan = two_options(0.11 * 2000, 2000);
  const auto report = run_under_budget(plan, device, device, device, listener);
  ASSERT_TRUE(report.energy_j);
  EXPECT_LE(*report.energy_j / plan.budget_j, 1.0);
  EXPECT_GE(*report.energy_j / plan.budget_j, 0.97);
  EXPECT_NEAR(report.usage[0].live_energy_j, 0.05, 1e-6);
  EXPECT_NEAR(report.usage[1].live_energy_j, 0.30, 1e-6);
}

TEST(BudgetRunner, StopsWhenDriftLeavesTooLittleAndKeepsWhatRan) {
  auto device = device_for_two();
  device.drift = 2.0;
  device.drift_after_s = 10;
  Recorder listener;
  // Just above the cheapest: doubled power cannot be covered.
  const auto plan = two_options(0.06 * 2000, 2000);
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(report.status, RunStatus::kStopped);
  EXPECT_LT(report.inferences_done, 2000);
  EXPECT_GT(report.inferences_done, 500);
  ASSERT_TRUE(report.energy_j);
  EXPECT_LE(*report.energy_j, plan.budget_j);
  EXPECT_NE(report.stop_reason.find("even at the cheapest configuration (cheap now costs "), std::string::npos)
      << report.stop_reason;
  EXPECT_GT(report.usage[0].live_energy_j, 0.055);  // stopped as soon as the windows showed it
  ASSERT_FALSE(listener.events.empty());
  EXPECT_EQ(listener.events.back(), report.stop_reason);
}

TEST(BudgetRunner, DegradeGoesOnAtTheCheapestAndSaysSo) {
  auto device = device_for_two();
  device.drift = 2.0;
  device.drift_after_s = 10;
  Recorder listener;
  auto plan = two_options(0.06 * 2000, 2000);
  plan.degrade = true;
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(report.status, RunStatus::kCompleted);
  EXPECT_EQ(report.inferences_done, 2000);
  EXPECT_TRUE(report.degraded);
  EXPECT_NE(report.degraded_at.find("even at the cheapest"), std::string::npos);
  ASSERT_TRUE(report.energy_j);
  EXPECT_GT(*report.energy_j, plan.budget_j);  // what degrading means: the work done, over the budget
  bool said = false;
  for (const auto& e : listener.events) said = said || e.find("(--degrade)") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(BudgetRunner, OneLoadedAtATimeRunsInBlocksAndCountsTheLoads) {
  auto device = device_for_two();
  auto plan = two_options(0.11 * 2000, 2000);
  for (auto& o : plan.options) o.memory_mb = 300;
  plan.memory_limit_mb = 500;
  Recorder listener;
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(device.max_loaded, 1);
  EXPECT_EQ(report.status, RunStatus::kCompleted) << report.stop_reason;
  ASSERT_TRUE(report.energy_j);
  EXPECT_LE(*report.energy_j / plan.budget_j, 1.0);
  EXPECT_GE(*report.energy_j / plan.budget_j, 0.97);
  const int loads = report.usage[0].loads + report.usage[1].loads;
  EXPECT_GT(loads, 0);
  EXPECT_LE(loads, report.switches);  // each switch loaded at most one configuration
  EXPECT_EQ(report.switches, loads);
  EXPECT_NEAR(report.usage[0].load_s + report.usage[1].load_s, 0.2 * loads, 1e-6);
  // Loading costs at most about a tenth of the time.
  EXPECT_LT(0.2 * loads, 0.15 * (report.ended_at_s - report.started_at_s));
  // The loads' energy came out of the budget: fewer inferences on the dear one than with both loaded.
  EXPECT_LT(report.usage[1].inferences, 0.4 * 2000);
}

TEST(BudgetRunner, AtARateTheIdleGapsCountAndLatencyIsFromTheSchedule) {
  SimulatedDevice device({{0.010, 5.0}, {0.040, 5.0}, {0.030, 5.0}});
  device.idle_w = 1.0;
  auto plan = two_options(0, 1000);
  plan.rate_qps = 20;  // 50 ms apart: cheap = 50 mJ + 40 ms x 1 W, dear = 200 mJ + 10 ms x 1 W
  plan.idle_power_w = 1.0;
  plan.options[0].energy_j = 0.09;
  plan.options[1].energy_j = 0.21;
  plan.options[2].energy_j = 0.17;
  plan.budget_j = 0.15 * 1000;  // 3 W at 20/s
  plan.latency_limit_ms = 45;
  Recorder listener;
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(report.status, RunStatus::kCompleted);
  ASSERT_TRUE(report.energy_j);
  EXPECT_LE(*report.energy_j / plan.budget_j, 1.0);
  EXPECT_GE(*report.energy_j / plan.budget_j, 0.97);
  EXPECT_NEAR(report.ended_at_s - report.started_at_s, 999 / 20.0 + 0.04, 0.05);
  ASSERT_TRUE(report.latency_ms_p99);
  EXPECT_NEAR(*report.latency_ms_p99, 40, 1e-6);
  EXPECT_EQ(report.over_latency_limit, 0);
  EXPECT_NEAR(report.usage[0].live_energy_j, 0.09, 1e-3);
  EXPECT_NEAR(report.usage[1].live_energy_j, 0.21, 1e-3);
}

TEST(BudgetRunner, AMeterThatStopsStopsTheRunInsteadOfRunningOnEstimates) {
  auto device = device_for_two();
  device.meter_dies_at = device.t + 10;
  Recorder listener;
  const auto plan = two_options(0.11 * 2000, 2000);
  const auto report = run_under_budget(plan, device, device, device, listener);
  EXPECT_EQ(report.status, RunStatus::kStopped);
  EXPECT_NE(report.stop_reason.find("the meter has not covered the last"), std::string::npos) << report.stop_reason;
  EXPECT_NE(report.stop_reason.find("(the log stopped growing)"), std::string::npos) << report.stop_reason;
  EXPECT_LT(report.inferences_done, 2000);
  EXPECT_FALSE(report.energy_j);
  EXPECT_EQ(report.energy_why_invalid, "the log stopped growing");
}

TEST(BudgetRunner, CtrlCStopsAtTheNextInferenceWithTheRecordKept) {
  auto device = device_for_two();
  std::atomic<bool> stop{false};
  struct StopAt : Recorder {
    std::atomic<bool>* stop;
    void on_progress(const RunProgress& p) override {
      if (p.done > 300) stop->store(true);
    }
  } listener;
  listener.stop = &stop;
  const auto plan = two_options(0.11 * 2000, 2000);
  const auto report = run_under_budget(plan, device, device, device, listener, &stop);
  EXPECT_EQ(report.status, RunStatus::kInterrupted);
  EXPECT_GT(report.inferences_done, 300);
  EXPECT_LT(report.inferences_done, 2000);
  EXPECT_NE(report.stop_reason.find("interrupted after"), std::string::npos);
  ASSERT_TRUE(report.energy_j);
}

}  // namespace
}  // namespace edgejoule
