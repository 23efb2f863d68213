// Energy windows (meters/monitor.h) on copies of real devices' sensor layouts: a known constant
// power comes back within 2 % through begin/end, windows nest and overlap, a window too short for
// the meter says so with its figures, and a meter that cannot be read says why instead of 0.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "meters/fake_tree.h"
#include "meters/measure.h"
#include "meters/monitor.h"

namespace edgejoule {
namespace {

using testing::CounterWriter;
using testing::FakeTree;
using testing::sleep_s;

std::string device_root(const std::string& device) { return std::string(EDGEJOULE_TEST_FIXTURES) + "/devices/" + device; }

MonitorOptions on(const std::string& root, const std::string& meter = "auto") {
  MonitorOptions o;
  o.sysfs_root = root;
  o.meter = meter;
  return o;
}

void expect_power(const EnergyWindow& w, double watts) {
  EXPECT_NEAR(w.mean_power_w, watts, watts * 0.02) << w.name << " on " << w.meter;
  EXPECT_NEAR(w.energy_j, watts * w.duration_s, watts * w.duration_s * 0.02) << w.name;
}

TEST(Monitor, AJetsonsBoardTotalThroughNestedAndOverlappingWindows) {
  Monitor monitor(on(device_root("jetson-orin-nano")));
  EXPECT_EQ(monitor.meter_info().name, "hwmon:ina3221:VDD_IN");
  const double watts = 5.072 * 1.182;
  monitor.begin("outer");
  sleep_s(0.15);
  monitor.begin("inner");
  sleep_s(0.3);
  monitor.begin("overlapping");
  sleep_s(0.2);
  const auto inner = monitor.end("inner");
  sleep_s(0.3);
  const auto outer = monitor.end("outer");
  sleep_s(0.1);
  const auto overlapping = monitor.end("overlapping");
  for (const auto* w : {&inner, &outer, &overlapping}) {
    expect_power(*w, watts);
    EXPECT_EQ(w->provenance, "measured:hwmon:ina3221:VDD_IN");
    EXPECT_TRUE(w->measured);
    EXPECT_NE(w->covers.find("board total (VDD_IN"), std::string::npos) << w->covers;
  }
  EXPECT_GT(outer.duration_s, inner.duration_s + overlapping.duration_s - 0.2);
  EXPECT_TRUE(monitor.open_windows().empty());
}

TEST(Monitor, ARaplCounterAdvancingAtAKnownPower) {
  FakeTree tree("monitor_rapl");
  std::filesystem::copy(device_root("amd-zen-rapl"), tree.root(), std::filesystem::copy_options::recursive);
  const std::string file = "sys/class/powercap/intel-rapl:0/energy_uj";
  CounterWriter counter(tree, file, 30.0, 262143328850ULL, std::stoull(*read_file(tree.path(file))));
  Monitor monitor(on(tree.root()));
  EXPECT_EQ(monitor.meter_info().name, "rapl:package-0");
  monitor.begin("loop");
  sleep_s(0.8);
  const auto w = monitor.end("loop");
  expect_power(w, 30.0);
  EXPECT_FALSE(w.too_short) << w.too_short_reason;
  EXPECT_GT(w.updates, 0);
}

TEST(Monitor, ARaspberryPi5sPmicRails) {
  setenv("EDGEJOULE_VCGENCMD", (device_root("raspberry-pi-5") + "/vcgencmd").c_str(), 1);
  Monitor monitor(on(device_root("raspberry-pi-5")));
  EXPECT_EQ(monitor.meter_info().name, "rpi-pmic");
  monitor.begin("w");
  sleep_s(0.8);
  const auto w = monitor.end("w");
  unsetenv("EDGEJOULE_VCGENCMD");
  expect_power(w, 5.35405);
}

TEST(Monitor, AWindowShorterThanTenUpdatesIsFlaggedWithItsFigures) {
  setenv("EDGEJOULE_NVML_LIBRARY", EDGEJOULE_FAKE_NVML, 1);
  setenv("FAKE_NVML_POWER_MW", "100000", 1);
  setenv("FAKE_NVML_STEP_MS", "100", 1);
  MonitorOptions o;
  o.device = "cuda";
  Monitor monitor(o);
  unsetenv("EDGEJOULE_NVML_LIBRARY");
  EXPECT_EQ(monitor.meter_info().name, "nvml:0");
  monitor.begin("short");
  sleep_s(0.25);
  const auto w = monitor.end("short");
  EXPECT_TRUE(w.too_short);
  // The period as measured from the counter's steps: about 0.1 s.
  EXPECT_NEAR(w.update_period_s, 0.1, 0.02);
  EXPECT_NE(w.too_short_reason.find(fmt::format("shorter than 10 x the meter's {:.4f} s update period ({:.3f} s)",
                                                w.update_period_s, 10 * w.update_period_s)),
            std::string::npos)
      << w.too_short_reason;
}

TEST(Monitor, MisusedNamesAndUnreadableMetersSayWhy) {
  Monitor monitor(on(device_root("jetson-orin-nano")));
  monitor.begin("a");
  EXPECT_THROW(monitor.begin("a"), Error);
  try {
    monitor.end("b");
    ADD_FAILURE() << "ended a window never begun";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no energy window named 'b' is open"), std::string::npos) << e.what();
  }
  monitor.cancel("a");
  EXPECT_TRUE(monitor.open_windows().empty());

  // No RAPL here: the sentence `edgejoule meters` gives, not a meter that reads 0.
  try {
    Monitor none(on(device_root("jetson-orin-nano"), "rapl"));
    ADD_FAILURE() << "a RAPL monitor opened without RAPL";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no RAPL zones under"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
  }
}

TEST(Monitor, AMeterThatStopsUpdatingIsAnErrorNotZero) {
  FakeTree tree("monitor_log");
  const std::string log = tree.path("power.csv");
  tree.write("power.csv", "timestamp_s,power_w\n");
  const auto append = [&log](double t) {
    std::ofstream out(log, std::ios::app);
    out << std::fixed << t << ",12.5\n";
  };
  for (int i = 20; i > 0; --i) append(unix_now_s() - 10 - i * 0.05);
  // A log that stopped long ago: the monitor says so when it is made, not at the first window.
  try {
    Monitor stale(on("/", "log:" + log));
    ADD_FAILURE() << "a monitor opened on a stale log";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gave no reading"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("the log stopped growing"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), exit_code::kFailure);
  }
  // A log that stops growing inside a window: that window's energy is an error, not 0.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    while (writing) {
      append(unix_now_s());
      sleep_s(0.02);
    }
  });
  Monitor monitor(on("/", "log:" + log));
  monitor.begin("stale");
  writing = false;
  writer.join();
  sleep_s(0.1);
  try {
    monitor.end("stale");
    ADD_FAILURE() << "a log that stopped growing gave a window's energy";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the energy of window 'stale' cannot be read from log:"), std::string::npos)
        << e.what();
    EXPECT_EQ(e.exit_code(), exit_code::kFailure);
  }
}

TEST(Monitor, ALongLivedMonitorForgetsReadingsNoWindowNeeds) {
  MonitorOptions o;
  o.meter = "estimate";
  Monitor monitor(o);
  monitor.begin("long");
  for (int i = 0; i < 3000; ++i) {
    monitor.begin("short");
    monitor.end("short");
  }
  // The long window's start is still bracketed after thousands of readings were dropped.
  const auto w = monitor.end("long");
  EXPECT_GE(w.updates, 3000);
  EXPECT_GE(w.energy_j, 0);
}

}  // namespace
}  // namespace edgejoule
