// The meters on copies of real devices' sysfs layouts (tests/fixtures/devices/, sources in its
// README): per device, which channels are sensors, what `--meter auto` chooses and how it words
// what that covers, and the power it integrates from the fixture's constant readings.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/strings.h"
#include "meters/fake_tree.h"
#include "meters/measure.h"
#include "meters/meter.h"
#include "meters/rapl.h"

namespace edgejoule {
namespace {

using testing::CounterWriter;
using testing::FakeTree;
using testing::measure;

std::string device_root(const std::string& device) { return std::string(EDGEJOULE_TEST_FIXTURES) + "/devices/" + device; }

struct Device {
  std::string name;
  std::vector<std::string> sensors;  // ids, in discovery order
  std::string auto_meter;            // --meter auto's name
  std::string covers;                // a phrase of what it covers
  double power_w;                    // what the fixture's readings add up to
};

class DeviceFixture : public ::testing::TestWithParam<Device> {};

TEST_P(DeviceFixture, AutoChoosesTheBoardTotalOrTheSumStandingForIt) {
  const Device& d = GetParam();
  const std::string root = device_root(d.name);
  std::vector<std::string> ids;
  for (const auto& s : find_hwmon_sensors(root)) {
    ids.push_back(s.id());
    EXPECT_TRUE(s.readable) << s.id() << ": " << s.error;
  }
  EXPECT_EQ(ids, d.sensors);

  auto meter = make_meter("auto", root, "cpu");
  EXPECT_EQ(meter->info().name, d.auto_meter);
  EXPECT_NE(meter->info().covers.find(d.covers), std::string::npos) << meter->info().covers;
  EXPECT_TRUE(meter->info().measured);
  meter->start();
  const auto m = measure(*meter, 0.6);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), d.power_w, d.power_w * 0.02);

  // `meters` lists every rail, and the sum where it stands for the total.
  const auto sources = list_meter_sources(root);
  for (const auto& id : d.sensors) {
    EXPECT_TRUE(std::any_of(sources.begin(), sources.end(), [&](const MeterSource& s) { return s.name == "hwmon:" + id; }))
        << id;
  }
  const bool sum = d.auto_meter.rfind("hwmon:sum(", 0) == 0;
  EXPECT_EQ(std::any_of(sources.begin(), sources.end(), [](const MeterSource& s) { return s.name == "hwmon:sum"; }), sum);
}

INSTANTIATE_TEST_SUITE_P(
    Jetson, DeviceFixture,
    ::testing::Values(
        // One INA3221: VDD_IN is the module's input; the shunt-voltage sums (in7, curr4) are not rails.
        Device{"jetson-orin-nano",
               {"ina3221:VDD_IN", "ina3221:VDD_CPU_GPU_CV", "ina3221:VDD_SOC"},
               "hwmon:ina3221:VDD_IN", "board total (VDD_IN", 5.072 * 1.182},
        // Two INA3221s, no VDD_IN; VIN_SYS_5V0 is a rail, not the total; NC channels are nothing;
        // VDDQ_VDD2_1V8AO is fed by VIN_SYS_5V0, so it is not added again.
        Device{"jetson-agx-orin",
               {"ina3221:VDD_GPU_SOC", "ina3221:VDD_CPU_CV", "ina3221:VIN_SYS_5V0", "ina3221:VDDQ_VDD2_1V8AO"},
               "hwmon:sum(VDD_GPU_SOC+VDD_CPU_CV+VIN_SYS_5V0)",
               "no rail here is the board total; the sum stands for the module's power, the carrier board not "
               "included; VDDQ_VDD2_1V8AO left out: VIN_SYS_5V0 supplies it",
               19.296 * 0.165 + 19.296 * 0.041 + 4.992 * 0.809},
        // AGX Thor: the carrier board's INA238 (power1_input in µW, no label) is the system input
        // VIN, ahead of the module's INA3221 rails; its bus-voltage x current pair is the same channel.
        Device{"jetson-agx-thor",
               {"ina3221:VDD_GPU", "ina3221:VDD_CPU_SOC_MSS", "ina3221:VIN_SYS_5V0", "ina238:VIN"},
               "hwmon:ina238:VIN", "board total (VIN, power sensor)", 40.95},
        // TX2 on L4T 32: four ina3221x (two on the module, two on the carrier board); the module's
        // input VDD_IN and the carrier board's VDD_MUX are parallel branches of the main supply.
        Device{"jetson-tx2-l4t32",
               {"ina3221x:VDD_SYS_GPU", "ina3221x:VDD_SYS_SOC", "ina3221x:VDD_4V0_WIFI", "ina3221x:VDD_IN",
                "ina3221x:VDD_SYS_CPU", "ina3221x:VDD_SYS_DDR", "ina3221x:VDD_MUX", "ina3221x:VDD_5V0_IO_SYS",
                "ina3221x:VDD_3V3_SYS", "ina3221x:VDD_3V3_IO_SLP", "ina3221x:VDD_1V8_IO", "ina3221x:VDD_3V3_SYS_M2"},
               "hwmon:sum(VDD_IN+VDD_MUX)", "board total: module input VDD_IN + carrier board input VDD_MUX",
               5.700 + 1.900},
        // L4T 32's ina3221x IIO driver (mW): POM_5V_IN is the Nano's total.
        Device{"jetson-nano-l4t32",
               {"ina3221x:POM_5V_IN", "ina3221x:POM_5V_GPU", "ina3221x:POM_5V_CPU"},
               "hwmon:ina3221x:POM_5V_IN", "board total (POM_5V_IN", 3.800},
        Device{"jetson-xavier-nx-l4t32",
               {"ina3221x:VDD_IN", "ina3221x:VDD_CPU_GPU_CV", "ina3221x:VDD_SOC"},
               "hwmon:ina3221x:VDD_IN", "board total (VDD_IN", 4.220},
        // AGX Xavier: two ina3221x, no total rail: the sum of its six rails.
        Device{"jetson-agx-xavier-l4t32",
               {"ina3221x:GPU", "ina3221x:CPU", "ina3221x:SOC", "ina3221x:CV", "ina3221x:VDDRQ", "ina3221x:SYS5V"},
               "hwmon:sum(GPU+CPU+SOC+CV+VDDRQ+SYS5V)", "sum of the module's rails", 6.955}),
    [](const auto& info) {
      std::string name = info.param.name;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(DeviceFixtures, ARailAloneSaysItIsNotTheTotalAndTheSumIsRefusedWhereATotalExists) {
  auto rail = make_meter("hwmon:VIN_SYS_5V0", device_root("jetson-agx-orin"), "cpu");
  EXPECT_NE(rail->info().covers.find("rail VIN_SYS_5V0 only, not the board total"), std::string::npos)
      << rail->info().covers;
  try {
    make_meter("hwmon:sum", device_root("jetson-orin-nano"), "cpu");
    ADD_FAILURE() << "hwmon:sum accepted where VDD_IN is the total";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("use --meter hwmon"), std::string::npos) << e.what();
  }
  auto sum = make_meter("hwmon:sum", device_root("jetson-agx-orin"), "cpu");
  EXPECT_EQ(sum->info().name, "hwmon:sum(VDD_GPU_SOC+VDD_CPU_CV+VIN_SYS_5V0)");
  // A module rail beside AGX Thor's VIN says it is one rail; the module's own input alone on a
  // TX2 says it is not the board's total either way round: VDD_IN is picked only inside the sum.
  auto thor_rail = make_meter("hwmon:VDD_GPU", device_root("jetson-agx-thor"), "cpu");
  EXPECT_NE(thor_rail->info().covers.find("rail VDD_GPU only, not the board total"), std::string::npos)
      << thor_rail->info().covers;
  auto tx2_mux = make_meter("hwmon:VDD_MUX", device_root("jetson-tx2-l4t32"), "cpu");
  EXPECT_NE(tx2_mux->info().covers.find("rail VDD_MUX only"), std::string::npos) << tx2_mux->info().covers;
}

TEST(DeviceFixtures, TheEstimateOnAJetsonTakesTheModulesFigure) {
  // Arm's /proc/cpuinfo names no CPU model; the device tree names the module (NUL-terminated).
  auto meter = make_meter("estimate", device_root("jetson-orin-nano"), "cpu");
  EXPECT_EQ(meter->info().name, "estimate:cpu-time(core_w=2.5,base_w=0,cpu=Jetson Orin Nano)");
  EXPECT_NE(meter->info().covers.find("Jetson Orin Nano 15 W / 6 cores, NVIDIA Jetson module data sheet"),
            std::string::npos)
      << meter->info().covers;
}

TEST(DeviceFixtures, AnIna238OffAJetsonIsAPlainPowerSensor) {
  // Without Jetson rails beside it an INA238 could measure anything: it keeps its channel name.
  FakeTree tree("ina238");
  tree.write("sys/class/hwmon/hwmon0/name", "ina238\n");
  tree.write("sys/class/hwmon/hwmon0/in1_input", "12000\n");
  tree.write("sys/class/hwmon/hwmon0/curr1_input", "500\n");
  tree.write("sys/class/hwmon/hwmon0/power1_input", "6000000\n");
  const auto sensors = find_hwmon_sensors(tree.root());
  ASSERT_EQ(sensors.size(), 1u);
  EXPECT_EQ(sensors[0].id(), "ina238:power1");
  EXPECT_FALSE(sensors[0].board_total);
  auto meter = make_meter("auto", tree.root(), "cpu");
  EXPECT_NE(meter->info().covers.find("rail power1 only, not the board total"), std::string::npos)
      << meter->info().covers;
}

// RAPL: the zones as Intel (two sockets, with and without psys) and AMD Zen expose them. Counters
// advance at known powers in a copy of the fixture.
struct RaplDevice {
  std::string name;
  std::string auto_meter;
  std::string covers;
  std::vector<std::pair<std::string, double>> counters;  // zone -> watts
  size_t zones;
};

class RaplFixture : public ::testing::TestWithParam<RaplDevice> {};

TEST_P(RaplFixture, AutoChoosesWhatStandsForTheTotalAndIntegratesIt) {
  const RaplDevice& d = GetParam();
  FakeTree tree("rapl_" + d.name);
  std::filesystem::copy(device_root(d.name), tree.root(), std::filesystem::copy_options::recursive);
  EXPECT_EQ(find_rapl_zones(tree.root()).size(), d.zones);
  double watts = 0;
  std::vector<std::unique_ptr<CounterWriter>> writers;
  for (const auto& [zone, w] : d.counters) {
    const std::string file = "sys/class/powercap/" + zone + "/energy_uj";
    const auto start = std::stoull(*read_file(tree.path(file)));
    writers.push_back(std::make_unique<CounterWriter>(tree, file, w, 262143328850ULL, start));
    watts += w;
  }
  auto meter = make_meter("auto", tree.root(), "cpu");
  EXPECT_EQ(meter->info().name, d.auto_meter);
  EXPECT_NE(meter->info().covers.find(d.covers), std::string::npos) << meter->info().covers;
  meter->start();
  const auto m = measure(*meter, 0.8);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), watts, watts * 0.02);
  // Every zone is listed by `meters`.
  size_t listed = 0;
  for (const auto& s : list_meter_sources(tree.root())) listed += s.name.rfind("rapl:", 0) == 0;
  EXPECT_EQ(listed, d.zones);
}

INSTANTIATE_TEST_SUITE_P(
    Cpus, RaplFixture,
    ::testing::Values(
        // psys contains the packages and memory: it alone, not added to them.
        RaplDevice{"intel-rapl-2socket-psys", "rapl:psys", "the whole platform", {{"intel-rapl:2", 45.0}}, 9},
        // No psys: both packages and both dram zones (RAPL's package excludes DRAM).
        RaplDevice{"intel-rapl-2socket", "rapl:package-0+dram@intel-rapl:0:0+package-1+dram@intel-rapl:1:0",
                   "dram@intel-rapl:0:0 (memory)",
                   {{"intel-rapl:0", 20.0}, {"intel-rapl:0:0", 3.0}, {"intel-rapl:1", 18.0}, {"intel-rapl:1:0", 2.0}}, 4},
        // AMD Zen: package and core only.
        RaplDevice{"amd-zen-rapl", "rapl:package-0", "package-0 (CPU package", {{"intel-rapl:0", 30.0}}, 2}),
    [](const auto& info) {
      std::string name = info.param.name;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

// Raspberry Pi 5: `vcgencmd pmic_read_adc` (the fixture's copy of its output), rails paired by
// name, EXT5V and BATT (voltage only) left out.
class RaspberryPi : public ::testing::Test {
 protected:
  void use(const std::string& device) {
    setenv("EDGEJOULE_VCGENCMD", (device_root(device) + "/vcgencmd").c_str(), 1);
  }
  void TearDown() override { unsetenv("EDGEJOULE_VCGENCMD"); }
};

TEST_F(RaspberryPi, Pi5PmicRailsAreSummedAndAutoUsesThemWhereNothingElseMeasures) {
  use("raspberry-pi-5");
  std::map<std::string, double> rails;
  std::string why;
  ASSERT_TRUE(read_pmic_rails(&rails, &why)) << why;
  EXPECT_EQ(rails.size(), 12u);
  EXPECT_FALSE(rails.count("EXT5V"));
  EXPECT_NEAR(rails.at("VDD_CORE"), 3.4, 1e-9);
  // A root with neither RAPL nor hwmon: auto takes the PMIC, says what it leaves out, and
  // integrates the constant 5.354 W.
  const std::string empty = device_root("raspberry-pi-5");
  auto meter = make_meter("auto", empty, "cpu");
  EXPECT_EQ(meter->info().name, "rpi-pmic");
  EXPECT_NE(meter->info().covers.find("not the board's input power"), std::string::npos) << meter->info().covers;
  meter->start();
  const auto m = measure(*meter, 0.8);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), 5.35405, 5.35405 * 0.02);
  const auto sources = list_meter_sources(empty);
  EXPECT_TRUE(std::any_of(sources.begin(), sources.end(),
                          [](const MeterSource& s) { return s.name == "rpi-pmic" && s.available; }));
}

TEST_F(RaspberryPi, APi4SaysWhyAndAutoFallsBackToTheEstimate) {
  use("raspberry-pi-4");
  std::map<std::string, double> rails;
  std::string why;
  EXPECT_FALSE(read_pmic_rails(&rails, &why));
  EXPECT_NE(why.find("only a Raspberry Pi 5"), std::string::npos) << why;
  EXPECT_NE(why.find("Command not registered"), std::string::npos) << why;
  EXPECT_EQ(make_meter("auto", device_root("raspberry-pi-4"), "cpu")->info().provenance, "estimated:cpu-time");
  try {
    make_meter("rpi-pmic", "/", "cpu");
    ADD_FAILURE() << "rpi-pmic accepted on a Pi 4";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot use --meter rpi-pmic"), std::string::npos) << e.what();
  }
}

// A discrete GPU's hwmon energy counter (i915: energy1_input in µJ) is listed and usable by
// name, but --meter auto on the CPU does not take a GPU card's energy for the CPU's.
TEST(DeviceFixtures, AGpuCardsEnergyCounterIsNotTheCpusMeter) {
  FakeTree tree("i915");
  std::filesystem::copy(device_root("intel-dgpu-i915-hwmon"), tree.root(), std::filesystem::copy_options::recursive);
  const auto sensors = find_hwmon_sensors(tree.root());
  ASSERT_EQ(sensors.size(), 1u);  // coretemp has no power or energy file
  EXPECT_EQ(sensors[0].id(), "i915:energy1");
  EXPECT_EQ(sensors[0].kind, "energy");
  EXPECT_EQ(make_meter("auto", tree.root(), "cpu")->info().provenance, "estimated:cpu-time");
  CounterWriter counter(tree, "sys/class/hwmon/hwmon3/energy1_input", 60.0, 0, 1234567890);
  // With a board sensor beside it, auto takes that one, although energy counters are otherwise
  // preferred to power readings.
  FakeTree board("i915_board");
  std::filesystem::copy(device_root("intel-dgpu-i915-hwmon"), board.root(), std::filesystem::copy_options::recursive);
  board.write("sys/class/hwmon/hwmon5/name", "acpi_power\n");
  board.write("sys/class/hwmon/hwmon5/power1_input", "25000000\n");  // µW
  EXPECT_EQ(make_meter("auto", board.root(), "cpu")->info().name, "hwmon:acpi_power:power1");
  auto gpu = make_meter("hwmon:energy1", tree.root(), "cpu");
  EXPECT_NE(gpu->info().covers.find("i915 GPU card's energy1 only"), std::string::npos) << gpu->info().covers;
  gpu->start();
  const auto m = measure(*gpu, 0.8);
  ASSERT_TRUE(m.reading.valid) << m.reading.why_invalid;
  EXPECT_NEAR(m.power_w(), 60.0, 60.0 * 0.02);
}

TEST(PmicParser, PairsByNameAndIgnoresWhatIsNotARail) {
  std::map<std::string, double> rails;
  EXPECT_TRUE(parse_pmic_adc("  VDD_CORE_A current(7)=2.00000000A\n  VDD_CORE_V volt(15)=0.80000000V\n"
                             "  NO_VOLT_A current(9)=0.5A\n     EXT5V_V volt(24)=5.1V\ngarbage line\n",
                             &rails));
  ASSERT_EQ(rails.size(), 1u);
  EXPECT_NEAR(rails.at("VDD_CORE"), 1.6, 1e-12);
  EXPECT_FALSE(parse_pmic_adc("error=1 error_msg=\"Command not registered\"\n", &rails));
}

}  // namespace
}  // namespace edgejoule
