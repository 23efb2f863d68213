#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <ctime>

#include <fmt/format.h>

#include "common/error.h"
#include "meters/fake_tree.h"
#include "meters/measure.h"
#include "meters/meter.h"
#include "meters/rapl.h"
#include "support/power_log_writer.h"

namespace edgejoule {
namespace {

using testing::CounterWriter;
using testing::FakeTree;
using testing::measure;
using testing::sleep_s;

// ---- counter wrap-around -------------------------------------------------------------------

TEST(CounterDelta, IncreasesAndWraps) {
  EXPECT_EQ(counter_delta(100, 250, 1000), 150);
  EXPECT_EQ(counter_delta(900, 100, 1000), 200);  // 900 -> 1000 -> 0 -> 100
  EXPECT_EQ(counter_delta(5, 5, 1000), 0);
  EXPECT_EQ(counter_delta(262143328850ULL, 10, 262143328850ULL), 10);
  EXPECT_EQ(counter_delta(900, 100, 0), -1);     // went backwards, range unknown: not trusted
  EXPECT_EQ(counter_delta(2000, 100, 1000), -1);  // previous above the range: not trusted
}

TEST(SampledMeter, InterpolatesTheCumulativeCurve) {
  const std::vector<EnergyPoint> pts = {{10.0, 0.0}, {11.0, 5.0}, {13.0, 9.0}};
  EXPECT_DOUBLE_EQ(*SampledMeter::interpolate(pts, 10.5), 2.5);
  EXPECT_DOUBLE_EQ(*SampledMeter::interpolate(pts, 12.0), 7.0);
  EXPECT_DOUBLE_EQ(*SampledMeter::interpolate(pts, 13.0), 9.0);
  EXPECT_FALSE(SampledMeter::interpolate(pts, 9.9));
  EXPECT_FALSE(SampledMeter::interpolate(pts, 13.1));
}

// ---- RAPL ----------------------------------------------------------------------------------

void write_rapl_tree(const FakeTree& t, unsigned long long max_uj) {
  t.write("sys/class/powercap/intel-rapl:0/name", "package-0\n");
  t.write("sys/class/powercap/intel-rapl:0/energy_uj", "1000\n");
  t.write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", std::to_string(max_uj) + "\n");
  t.write("sys/class/powercap/intel-rapl:0/intel-rapl:0:0/name", "core\n");
  t.write("sys/class/powercap/intel-rapl:0/intel-rapl:0:0/energy_uj", "500\n");
  t.write("sys/class/powercap/intel-rapl:0/intel-rapl:0:0/max_energy_range_uj", std::to_string(max_uj) + "\n");
  // Real trees list subzones both nested and as siblings under /sys/class/powercap.
  t.write("sys/class/powercap/intel-rapl:0:2/name", "dram\n");
  t.write("sys/class/powercap/intel-rapl:0:2/energy_uj", "100\n");
  t.write("sys/class/powercap/intel-rapl:0:2/max_energy_range_uj", std::to_string(max_uj) + "\n");
  t.write("sys/class/powercap/intel-rapl:0:0/name", "core\n");
  t.write("sys/class/powercap/intel-rapl:0:0/energy_uj", "500\n");
  t.write("sys/class/powercap/intel-rapl:0:0/max_energy_range_uj", std::to_string(max_uj) + "\n");
}

TEST(Rapl, FindsZonesByName) {
  FakeTree t("rapl_zones");
  write_rapl_tree(t, 262143328850ULL);
  const auto zones = find_rapl_zones(t.root());
  ASSERT_EQ(zones.size(), 3u);
  EXPECT_EQ(zones[0].name, "package-0");
  EXPECT_TRUE(zones[0].top_level);
  EXPECT_EQ(zones[1].name, "core");
  EXPECT_FALSE(zones[1].top_level);
  EXPECT_EQ(zones[2].name, "dram");
  EXPECT_EQ(zones[0].max_energy_range_uj, 262143328850ULL);
  // By default the package and the memory, which the package does not include.
  EXPECT_EQ(make_meter("rapl", t.root(), "cpu")->info().name, "rapl:package-0+dram");
  EXPECT_EQ(make_meter("rapl:package-0", t.root(), "cpu")->info().name, "rapl:package-0");
  EXPECT_EQ(make_meter("auto", t.root(), "cpu")->info().provenance, "measured:rapl:package-0+dram");
  try {
    make_meter("rapl:gpu", t.root(), "cpu");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("package-0, core, dram"), std::string::npos) << e.what();
  }
}

TEST(Rapl, MeasuresAKnownPowerAcrossACounterWrap) {
  FakeTree t("rapl_wrap");
  // 5 J range at 25 W: the counter wraps every 0.2 s, several times inside the window.
  const unsigned long long max_uj = 5'000'000;
  write_rapl_tree(t, max_uj);
  CounterWriter writer(t, "sys/class/powercap/intel-rapl:0/energy_uj", 25.0, max_uj, 4'000'000);
  auto meter = make_meter("rapl", t.root(), "cpu");
  meter->start();
  const auto m = measure(*meter, 1.0);
  const auto& r = m.reading;
  ASSERT_TRUE(r.valid) << r.why_invalid;
  EXPECT_NEAR(m.power_w(), 25.0, 25.0 * 0.05) << "energy " << r.energy_j;
  EXPECT_GE(r.updates, 30);  // RAPL steps every ~1 ms: every 20 ms poll sees a change
  const double period = measure_update_period_s(*meter, 5, 1.0);
  EXPECT_GT(period, 0.0);
  EXPECT_LT(period, 0.05);
}

TEST(Rapl, NoZonesSaysWhyAndAutoFallsBackToTheEstimate) {
  FakeTree t("rapl_none");
  try {
    make_meter("rapl", t.root(), "cpu");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no RAPL zones"), std::string::npos);
  }
  auto meter = make_meter("auto", t.root(), "cpu");
  EXPECT_FALSE(meter->info().measured);
  EXPECT_EQ(meter->info().provenance, "estimated:cpu-time");
  bool found = false;
  for (const auto& s : list_meter_sources(t.root())) {
    if (s.name == "rapl") {
      found = true;
      EXPECT_FALSE(s.available);
      EXPECT_NE(s.why_unavailable.find("no RAPL zones"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
}

// Since Linux 5.10 energy_uj is 0400 root. Root reads anything, so the check runs in a child
// that drops to an unprivileged user first.
TEST(Rapl, PermissionDeniedExplainsRootOnlyAndHowToGrantAccess) {
  FakeTree t("rapl_perm");
  write_rapl_tree(t, 262143328850ULL);
  chmod(t.path("sys/class/powercap/intel-rapl:0/energy_uj").c_str(), 0400);
  // The unprivileged child must be able to walk the tree.
  for (auto p = std::filesystem::path(t.path("sys/class/powercap/intel-rapl:0")); p.string().size() > 1;
       p = p.parent_path()) {
    chmod(p.c_str(), 0755);
    if (p == std::filesystem::path(t.root()).parent_path()) break;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    const auto zones = find_rapl_zones(t.root());
    if (zones.empty() || !zones[0].permission_denied) _exit(4);
    try {
      make_meter("rapl", t.root(), "cpu")->start();
      _exit(5);
    } catch (const Error& e) {
      const std::string m = e.what();
      _exit(m.find("readable only by root") != std::string::npos && m.find("chmod a+r") != std::string::npos ? 0 : 6);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) GTEST_SKIP() << "cannot drop privileges here";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---- hwmon ---------------------------------------------------------------------------------

TEST(Hwmon, JetsonLikeIna3221RailsWithTheBoardTotal) {
  FakeTree t("hwmon_ina");
  t.write("sys/class/hwmon/hwmon0/name", "ina3221\n");
  t.write("sys/class/hwmon/hwmon0/in1_label", "VDD_IN\n");
  t.write("sys/class/hwmon/hwmon0/in1_input", "5000\n");    // mV
  t.write("sys/class/hwmon/hwmon0/curr1_input", "1600\n");  // mA -> 8 W
  t.write("sys/class/hwmon/hwmon0/in2_label", "VDD_CPU_GPU_CV\n");
  t.write("sys/class/hwmon/hwmon0/in2_input", "5000\n");
  t.write("sys/class/hwmon/hwmon0/curr2_input", "600\n");
  t.write("sys/class/hwmon/hwmon0/in7_input", "1000\n");    // a voltage alone is not power
  const auto sensors = find_hwmon_sensors(t.root());
  ASSERT_EQ(sensors.size(), 2u);
  EXPECT_EQ(sensors[0].id(), "ina3221:VDD_IN");
  EXPECT_TRUE(sensors[0].board_total);
  EXPECT_FALSE(sensors[1].board_total);

  auto meter = make_meter("hwmon", t.root(), "cpu");
  EXPECT_EQ(meter->info().name, "hwmon:ina3221:VDD_IN");
  EXPECT_NE(meter->info().covers.find("board total"), std::string::npos);
  meter->start();
  const auto m = measure(*meter, 0.6);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), 8.0, 8.0 * 0.05);

  auto rail = make_meter("hwmon:VDD_CPU_GPU_CV", t.root(), "cpu");
  EXPECT_NE(rail->info().covers.find("not the board total"), std::string::npos);
}

TEST(Hwmon, PowerAndEnergyFiles) {
  FakeTree t("hwmon_pe");
  t.write("sys/class/hwmon/hwmon3/name", "acpi_power\n");
  t.write("sys/class/hwmon/hwmon3/power1_input", "12500000\n");  // µW = 12.5 W
  t.write("sys/class/hwmon/hwmon4/name", "amd_energy\n");
  t.write("sys/class/hwmon/hwmon4/energy1_label", "Esocket0\n");
  t.write("sys/class/hwmon/hwmon4/energy1_input", "1000\n");
  const auto sensors = find_hwmon_sensors(t.root());
  ASSERT_EQ(sensors.size(), 2u);
  EXPECT_EQ(sensors[0].kind, "power");
  EXPECT_EQ(sensors[0].label, "power1");
  EXPECT_EQ(sensors[1].kind, "energy");

  auto power = make_meter("hwmon:power1", t.root(), "cpu");
  power->start();
  const auto rp = measure(*power, 0.5);
  ASSERT_TRUE(rp.reading.valid) << rp.reading.why_invalid;
  EXPECT_NEAR(rp.power_w(), 12.5, 12.5 * 0.05);

  CounterWriter writer(t, "sys/class/hwmon/hwmon4/energy1_input", 6.0, 0, 1000, std::chrono::microseconds(5000));
  auto energy = make_meter("hwmon", t.root(), "cpu");  // no board total: the energy counter is preferred
  EXPECT_EQ(energy->info().name, "hwmon:amd_energy:Esocket0");
  energy->start();
  const auto re = measure(*energy, 1.0);
  ASSERT_TRUE(re.reading.valid) << re.reading.why_invalid;
  EXPECT_NEAR(re.power_w(), 6.0, 6.0 * 0.05);
}

// ---- external log --------------------------------------------------------------------------

TEST(LogMeter, ConstantPowerIsMeasuredWithinTwoPercentWhileTheLogGrows) {
  FakeTree t("log_constant");
  const std::string path = t.path("power.csv");
  testing::PowerLogWriter writer(path, 42.0, 0.05);
  auto meter = make_meter("log:" + path, t.root(), "cpu");
  EXPECT_EQ(meter->info().provenance, "measured:log:" + path);
  meter->start();
  const auto m = measure(*meter, 1.0);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), 42.0, 42.0 * 0.02);
  EXPECT_GE(m.reading.updates, 10);
}

TEST(LogMeter, BadFilesAreRefusedWithFileAndLine) {
  FakeTree t("log_bad");
  auto expect_start_error = [&](const std::string& content, const std::string& text) {
    const std::string path = t.path("bad.csv");
    std::ofstream(path) << content;
    try {
      make_meter("log:" + path, t.root(), "cpu")->start();
      ADD_FAILURE() << "accepted: " << content;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_start_error("time,watts\n1700000000,5\n", "line 1: the header must be");
  expect_start_error("timestamp_s,power_w\n1700000000,abc\n", "line 2: power 'abc' is not a number");
  expect_start_error("timestamp_s,power_w\n1700000000,5\n1700000000,5\n", "line 3: timestamps must increase");
  expect_start_error("timestamp_s,power_w\n1700000000,-5\n", "negative power");
  expect_start_error("timestamp_s,power_w\n12.5,5\n", "not Unix time");
  expect_start_error("timestamp_s,power_w\n1700000000,5,6\n", "expected 2 comma-separated fields");
  try {
    make_meter("log:" + t.path("missing.csv"), t.root(), "cpu")->start();
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open the power log"), std::string::npos);
  }
}

TEST(LogMeter, ALogThatStopsGrowingMakesTheWindowInvalid) {
  FakeTree t("log_stale");
  const std::string path = t.path("stale.csv");
  {
    std::ofstream out(path);
    out << "timestamp_s,power_w\n";
    const double now = unix_now_s();
    for (int i = 5; i > 0; --i) out << fmt::format("{:.3f},10\n", now - i * 0.1);
  }
  auto meter = make_meter("log:" + path, t.root(), "cpu");
  meter->start();
  const double t0 = unix_now_s();
  sleep_s(0.2);
  const auto r = meter->energy_between(t0, unix_now_s(), 0.3);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.why_invalid.find("stopped"), std::string::npos) << r.why_invalid;
}

TEST(LogMeter, ABadLineAppendedDuringTheRunInvalidatesReadings) {
  FakeTree t("log_badlater");
  const std::string path = t.path("later.csv");
  {
    std::ofstream out(path);
    out << "timestamp_s,power_w\n" << fmt::format("{:.3f},10\n", unix_now_s() - 1);
  }
  auto meter = make_meter("log:" + path, t.root(), "cpu");
  meter->start();
  std::ofstream(path, std::ios::app) << "garbage\n";
  sleep_s(0.15);
  const auto r = meter->energy_between(unix_now_s() - 0.5, unix_now_s(), 0.1);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.why_invalid.find("line 3"), std::string::npos) << r.why_invalid;
}

// ---- estimate ------------------------------------------------------------------------------

TEST(Estimate, CpuTimeTimesCorePowerAndAlwaysLabelledEstimated) {
  auto meter = make_meter("estimate:core_w=4,base_w=0", "/", "cpu");
  EXPECT_FALSE(meter->info().measured);
  EXPECT_EQ(meter->info().provenance, "estimated:cpu-time");
  EXPECT_NE(meter->info().name.find("core_w=4"), std::string::npos);
  meter->start();
  auto cpu_s = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  meter->sample_now();
  const double t0 = unix_now_s();
  const double cpu0 = cpu_s();
  const auto busy_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  volatile double sink = 0;
  while (std::chrono::steady_clock::now() < busy_until) sink = sink + 1.0;
  const double cpu1 = cpu_s();
  const double t1 = unix_now_s();
  meter->sample_now();
  const auto r = meter->energy_between(t0, t1, 1.0);
  ASSERT_TRUE(r.valid) << r.why_invalid;
  // 4 W per busy core x the CPU time this process used (however much the machine let it have).
  const double expected = 4 * (cpu1 - cpu0);
  EXPECT_GT(expected, 0.1);
  EXPECT_NEAR(r.energy_j, expected, expected * 0.1 + 0.02);
  EXPECT_THROW(make_meter("estimate:core_w=-1", "/", "cpu"), Error);
  EXPECT_THROW(make_meter("estimate:volts=3", "/", "cpu"), Error);
}

TEST(Estimate, CorePowerComesFromTheCpuOrModuleTableWithItsSource) {
  // x86: the model name as /proc/cpuinfo writes it; the rating divided by the cores.
  const auto epyc = cpu_power_for("AMD EPYC 7763 64-Core Processor", "");
  ASSERT_TRUE(epyc);
  EXPECT_EQ(epyc->part, "EPYC 7763");
  EXPECT_DOUBLE_EQ(epyc->core_w, 280.0 / 64);
  EXPECT_NE(epyc->basis.find("280 W / 64 cores, AMD"), std::string::npos) << epyc->basis;
  const auto xeon = cpu_power_for("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz", "");
  ASSERT_TRUE(xeon);
  EXPECT_DOUBLE_EQ(xeon->core_w, 270.0 / 40);
  // A part is a whole word: 8380H and 8480 are other CPUs, not 8380 or 8480+.
  EXPECT_FALSE(cpu_power_for("Intel(R) Xeon(R) Platinum 8380H CPU @ 2.90GHz", ""));
  EXPECT_FALSE(cpu_power_for("Intel(R) Xeon(R) Platinum 8480 CPU", ""));
  // Arm: /proc/cpuinfo names no model; the Jetson module comes from the device tree.
  const auto orin = cpu_power_for("unknown", "NVIDIA Jetson Orin Nano Developer Kit");
  ASSERT_TRUE(orin);
  EXPECT_DOUBLE_EQ(orin->core_w, 15.0 / 6);
  EXPECT_NE(orin->basis.find("NVIDIA Jetson module data sheet"), std::string::npos);
  EXPECT_FALSE(cpu_power_for("AMD EPYC", ""));  // a VM that hides the model: no figure
}

TEST(Estimate, TheDefaultCoefficientFollowsTheMachineAndIsNamedInTheMeter) {
  FakeTree tree("estimate_cpu");
  tree.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\n");
  auto known = make_meter("estimate", tree.root(), "cpu");
  EXPECT_EQ(known->info().name, "estimate:cpu-time(core_w=4.38,base_w=0,cpu=EPYC 7763)");
  EXPECT_NE(known->info().covers.find("4.38 W per busy core (EPYC 7763 280 W / 64 cores"), std::string::npos)
      << known->info().covers;
  // A coefficient given by the user wins, and says so.
  auto given = make_meter("estimate:core_w=3", tree.root(), "cpu");
  EXPECT_EQ(given->info().name, "estimate:cpu-time(core_w=3,base_w=0)");
  EXPECT_NE(given->info().covers.find("3 W per busy core (given)"), std::string::npos) << given->info().covers;
  // Not in the table: the default 10 W, said to be the default.
  tree.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: AMD EPYC\n");
  auto unknown = make_meter("estimate", tree.root(), "cpu");
  EXPECT_EQ(unknown->info().name, "estimate:cpu-time(core_w=10,base_w=0)");
  EXPECT_NE(unknown->info().covers.find("the default: this CPU is not in edgejoule's table"), std::string::npos);
}

TEST(Meters, UnknownSpecListsTheChoices) {
  try {
    make_meter("joulescope", "/", "cpu");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("choose auto, nvml"), std::string::npos);
  }
  EXPECT_THROW(make_meter("log", "/", "cpu"), Error);
  EXPECT_THROW(make_meter("nvml:x", "/", "cpu"), Error);
}

// ---- NVML (a fake libnvidia-ml exporting the same symbols) ---------------------------------

class NvmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("EDGEJOULE_NVML_LIBRARY", EDGEJOULE_FAKE_NVML, 1);
    setenv("FAKE_NVML_POWER_MW", "150000", 1);
    setenv("FAKE_NVML_STEP_MS", "100", 1);
    unsetenv("FAKE_NVML_NO_ENERGY");
  }
  void TearDown() override {
    unsetenv("EDGEJOULE_NVML_LIBRARY");
    unsetenv("FAKE_NVML_NO_ENERGY");
    unsetenv("FAKE_NVML_NO_POWER");
    unsetenv("FAKE_NVML_NAME");
  }
};

TEST_F(NvmlTest, EnergyCounterSteppingEvery100msIsMeasuredBack) {
  auto meter = make_meter("auto", "/", "cuda");
  EXPECT_EQ(meter->info().name, "nvml:0");
  EXPECT_NE(meter->info().covers.find("Fake GPU 9000"), std::string::npos);
  meter->start();
  const double period = measure_update_period_s(*meter, 4, 2.0);
  EXPECT_NEAR(period, 0.1, 0.02);
  // 10 x the period, as the protocol requires.
  const auto m = measure(*meter, 1.0);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), 150.0, 150.0 * 0.05);
  EXPECT_GE(m.reading.updates, 8);
}

TEST_F(NvmlTest, PowerSamplesAreIntegratedWhenThereIsNoCounter) {
  setenv("FAKE_NVML_NO_ENERGY", "1", 1);
  auto meter = make_meter("nvml", "/", "cuda");
  EXPECT_EQ(meter->info().name, "nvml:0:power");
  meter->start();
  const auto m = measure(*meter, 0.5);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), 150.0, 150.0 * 0.03);
  try {
    make_meter("nvml:0:energy", "/", "cuda");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no total-energy counter"), std::string::npos);
  }
}

TEST_F(NvmlTest, ProbeReportsDevicesAndDriverAndMissingLibrariesAreExplained) {
  const auto status = probe_nvml();
  ASSERT_TRUE(status.available) << status.why_unavailable;
  EXPECT_EQ(status.devices.at(0), "Fake GPU 9000");
  EXPECT_EQ(status.driver_version, "999.99");
  EXPECT_TRUE(status.energy_counter);
  EXPECT_THROW(make_meter("nvml:3", "/", "cuda"), Error);

  setenv("EDGEJOULE_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
  const auto missing = probe_nvml();
  EXPECT_FALSE(missing.available);
  EXPECT_NE(missing.why_unavailable.find("not found"), std::string::npos);
  try {
    make_meter("auto", "/", "cuda");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NVML is unavailable"), std::string::npos);
  }
}

// Jetson Orin under JetPack 6 and 7: NVML initialises, then answers NOT_SUPPORTED for power and
// energy. NVML is unavailable with that reason, and auto on the GPU takes the board's rails.
TEST_F(NvmlTest, AJetsonsNvmlWithoutPowerIsUnavailableAndAutoTakesTheBoardsRails) {
  setenv("FAKE_NVML_NO_ENERGY", "1", 1);
  setenv("FAKE_NVML_NO_POWER", "1", 1);
  setenv("FAKE_NVML_NAME", "Orin (nvgpu)", 1);
  const auto status = probe_nvml();
  EXPECT_FALSE(status.available);
  EXPECT_NE(status.why_unavailable.find("NVML device 0 (Orin (nvgpu)) answers Not Supported for both power and energy"),
            std::string::npos)
      << status.why_unavailable;
  try {
    make_meter("nvml", "/", "cuda");
    ADD_FAILURE() << "an NVML without power readings was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("answers Not Supported for both power and energy"), std::string::npos)
        << e.what();
  }
  const std::string orin = std::string(EDGEJOULE_TEST_FIXTURES) + "/devices/jetson-orin-nano";
  auto meter = make_meter("auto", orin, "cuda");
  EXPECT_EQ(meter->info().name, "hwmon:ina3221:VDD_IN");
  // `meters` says why NVML is out, in the same words.
  bool listed = false;
  for (const auto& s : list_meter_sources(orin)) {
    if (s.name != "nvml") continue;
    listed = true;
    EXPECT_FALSE(s.available);
    EXPECT_EQ(s.why_unavailable, status.why_unavailable);
  }
  EXPECT_TRUE(listed);
  // Without a board sensor there is nothing that covers the GPU: the NVML reason, not the estimate.
  try {
    make_meter("auto", "/", "cuda");
    ADD_FAILURE() << "auto on the GPU took a meter that does not cover it";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Not Supported"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace edgejoule
