// The protocol with a meter attached: idle baseline, window length from the meter's update
// period, energy per inference and its verdicts. A fake meter gives exact, scripted figures.

#include <gtest/gtest.h>

#include <functional>

#include "profiler/protocol.h"
#include "support/fake_engine.h"

namespace edgejoule {
namespace {

using std::chrono::microseconds;
using testing::FakeEngine;

// Energy = power x span, where power comes from a script: call 0 is the idle baseline, call
// n >= 1 is window n.
class FakeMeter : public Meter {
 public:
  FakeMeter(std::function<double(int)> power_for_call, double period_s)
      : power_for_call_(std::move(power_for_call)), period_s_(period_s) {}
  MeterInfo info() const override {
    MeterInfo m;
    m.name = "fake:rail";
    m.provenance = "measured:fake:rail";
    m.covers = "a scripted rail";
    m.update_period_s = period_s_;
    return m;
  }
  void start() override {}
  void stop() override {}
  void sample_now() override {}
  EnergyReading energy_between(double t0, double t1, double) override {
    EnergyReading r;
    const double p = power_for_call_(calls_++);
    if (p < 0) {
      r.why_invalid = "the scripted sensor failed";
      return r;
    }
    r.valid = true;
    r.energy_j = p * (t1 - t0);
    r.updates = static_cast<int>((t1 - t0) / period_s_);
    return r;
  }
  int update_count() const override { return 100; }
  double measured_update_period_s() const override { return measured_period_s_; }
  double measured_period_s_ = 0;

 private:
  std::function<double(int)> power_for_call_;
  double period_s_;
  int calls_ = 0;
};

ProtocolSettings settings() {
  ProtocolSettings s;
  s.warmup_s = 0.01;
  s.min_time_s = 0.05;
  s.repetitions = 3;
  s.max_cv = 0.2;
  return s;
}

Configuration batch(int b) {
  Configuration c;
  c.batch = b;
  return c;
}

TEST(ProtocolWithMeter, EnergyPerInferenceAboveIdleAndMeanPower) {
  FakeEngine engine([](int64_t) { return microseconds(1000); });
  FakeMeter meter([](int call) { return call == 0 ? 5.0 : 25.0; }, /*period_s=*/0.03);
  ProfileListener none;
  const auto r = run_protocol(engine, batch(4), settings(), none, {}, nullptr, &meter);
  ASSERT_TRUE(r.energy);
  const auto& e = *r.energy;
  EXPECT_EQ(e.provenance, "measured:fake:rail");
  EXPECT_NEAR(*e.idle_power_w, 5.0, 1e-9);
  EXPECT_DOUBLE_EQ(e.min_window_s, 0.3);  // 10 x 0.03 s, longer than --min-time-s 0.05
  EXPECT_GE(e.idle_duration_s, 0.3);
  ASSERT_EQ(r.windows.size(), 3u);
  for (const auto& w : r.windows) {
    EXPECT_GE(w.duration_s, 0.3);
    const double span = w.end_unix_s - w.start_unix_s;
    EXPECT_NEAR(*w.energy_j, 25.0 * span, 1e-9);
    EXPECT_NEAR(*w.energy_j_per_inference, 25.0 * span / w.samples, 1e-12);
    EXPECT_NEAR(*w.energy_above_idle_j_per_inference, 20.0 * span / w.samples, 1e-12);
    EXPECT_NEAR(*w.mean_power_w, 25.0, 1e-9);
  }
  // Energy per inference is power / throughput, whatever the calls really took on a busy machine.
  double expected = 0;
  for (const auto& w : r.windows) expected += 25.0 / w.throughput_sps / r.windows.size();
  EXPECT_NEAR(e.energy_j_per_inference.mean, expected, expected * 0.02);
  EXPECT_NEAR(e.mean_power_w.mean, 25.0, 1e-9);
  EXPECT_TRUE(e.energy_j_per_inference.ci95_half_width);
  // Steady power gives a VALID point whenever the calls were steady. The fake engine busy-waits,
  // so on a loaded machine (ctest -j, a build beside it) its windows can differ by more than
  // --max-cv; then, with constant power, latency and energy per inference vary alike and the
  // point must be INVALID for that spread. Judged against the windows as they really ran.
  ASSERT_TRUE(r.window_latency_ms.cv && e.energy_j_per_inference.cv);
  if (*r.window_latency_ms.cv <= settings().max_cv && *e.energy_j_per_inference.cv <= settings().max_cv) {
    EXPECT_EQ(r.verdict, Verdict::kValid) << r.reason;
  } else {
    EXPECT_EQ(r.verdict, Verdict::kInvalid);
    EXPECT_NE(r.reason.find("varied"), std::string::npos) << r.reason;
    EXPECT_EQ(r.reason.find("sensor"), std::string::npos) << r.reason;  // never the reading itself
  }
}

TEST(ProtocolWithMeter, AnInvalidReadingMakesThePointInvalid) {
  FakeEngine engine([](int64_t) { return microseconds(500); });
  FakeMeter meter([](int call) { return call == 2 ? -1.0 : 10.0; }, 0.005);
  ProfileListener none;
  const auto r = run_protocol(engine, batch(1), settings(), none, {}, nullptr, &meter);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.reason.find("energy of window 2: the scripted sensor failed"), std::string::npos) << r.reason;
  EXPECT_FALSE(r.windows[1].energy_j);
  EXPECT_TRUE(r.windows[0].energy_j);
}

TEST(ProtocolWithMeter, NoisyEnergyIsInvalid) {
  FakeEngine engine([](int64_t) { return microseconds(500); });
  FakeMeter meter([](int call) { return call % 2 ? 10.0 : 30.0; }, 0.005);
  ProfileListener none;
  const auto r = run_protocol(engine, batch(1), settings(), none, {}, nullptr, &meter);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.reason.find("energy per inference varied"), std::string::npos) << r.reason;
}

TEST(ProtocolWithMeter, AMeterSlowerThanDocumentedMakesShortWindowsInvalid) {
  FakeEngine engine([](int64_t) { return microseconds(500); });
  FakeMeter meter([](int) { return 10.0; }, 0.005);
  meter.measured_period_s_ = 0;  // unknown at the start: windows sized for 5 ms
  ProfileListener none;
  struct SlowDown : ProfileListener {
    FakeMeter* meter;
    void on_window_end(const PointContext&, const WindowResult&) override { meter->measured_period_s_ = 1.0; }
  } listener;
  listener.meter = &meter;
  const auto r = run_protocol(engine, batch(1), settings(), listener, {}, nullptr, &meter);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.reason.find("shorter than 10 x the meter's 1.000 s update period"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("raise --min-time-s to at least 10.00"), std::string::npos) << r.reason;
}

TEST(ProtocolWithMeter, WithoutAMeterThereIsNoEnergy) {
  FakeEngine engine([](int64_t) { return microseconds(200); });
  ProfileListener none;
  const auto r = run_protocol(engine, batch(1), settings(), none, {});
  EXPECT_FALSE(r.energy);
  EXPECT_FALSE(r.windows[0].energy_j);
}

}  // namespace
}  // namespace edgejoule
