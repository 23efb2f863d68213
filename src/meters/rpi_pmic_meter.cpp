// Raspberry Pi 5: the PMIC's ADC through `vcgencmd pmic_read_adc`, which prints one line per
// channel, currents and voltages of the same rail under the names RAIL_A and RAIL_V:
//
//    VDD_CORE_A current(7)=0.75012000A
//    VDD_CORE_V volt(15)=0.86173300V
//       EXT5V_V volt(24)=5.09066000V
//
// Rails are paired by name (the channel numbers of a rail's current and voltage differ), and the
// meter integrates the sum of their V x I. EXT5V (the USB-C input) has a voltage but no current,
// so the board's input power is not measured: the sum covers the PMIC's rails (SoC core, memory,
// I/O, Wi-Fi, HDMI) and leaves out USB peripherals and the PMIC's own conversion losses, which
// `covers` says. Each reading runs vcgencmd (a fork and an exec), so the meter polls every
// 100 ms and its real update period is measured like every meter's.
// $EDGEJOULE_VCGENCMD names another program (the tests' copy of a Pi 5's output).

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "common/error.h"
#include "common/process.h"
#include "common/strings.h"
#include "meters/rapl.h"

namespace edgejoule {

namespace {

std::string vcgencmd_program() {
  const char* override = std::getenv("EDGEJOULE_VCGENCMD");
  return override && *override ? override : "vcgencmd";
}

bool on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "", ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

class RpiPmicMeter final : public SampledMeter {
 public:
  explicit RpiPmicMeter(std::vector<std::string> rails)
      : SampledMeter(std::chrono::milliseconds(100)), rails_(std::move(rails)) {}

  ~RpiPmicMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    m.name = "rpi-pmic";
    m.provenance = "measured:rpi-pmic";
    m.covers = fmt::format("sum of the Raspberry Pi 5 PMIC's {} rails ({}): not the board's input power (EXT5V has "
                           "no current sensor), it leaves out USB peripherals and the PMIC's conversion losses",
                           rails_.size(), join(rails_, ", "));
    m.update_period_s = 0.1;
    return m;
  }

 protected:
  void open() override {
    std::string why;
    if (!read_power_w(&why)) throw Error("cannot read the Raspberry Pi PMIC: " + why + "; choose another --meter");
  }

  void poll() override {
    const double now = unix_now_s();
    const auto power_w = read_power_w(nullptr);
    if (!power_w) return;
    if (have_last_ && *power_w != last_power_w_) note_change(now);
    if (have_last_) total_j_ += 0.5 * (*power_w + last_power_w_) * (now - last_t_s_);
    last_power_w_ = *power_w;
    last_t_s_ = now;
    have_last_ = true;
    add_point(now, total_j_);
  }

 private:
  static std::optional<double> read_power_w(std::string* why) {
    std::map<std::string, double> watts;
    std::string error;
    if (!read_pmic_rails(&watts, &error)) {
      if (why) *why = error;
      return std::nullopt;
    }
    double total = 0;
    for (const auto& [rail, w] : watts) total += w;
    return total;
  }

  std::vector<std::string> rails_;
  bool have_last_ = false;
  double last_power_w_ = 0;
  double last_t_s_ = 0;
  double total_j_ = 0;
};

}  // namespace

bool parse_pmic_adc(const std::string& output, std::map<std::string, double>* rail_watts) {
  static const std::regex kLine(R"(^\s*(\S+)_([AV])\s+(current|volt)\(\d+\)=([0-9.eE+-]+)[AV]\s*$)");
  std::map<std::string, double> amps, volts;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    const auto value = parse_double(m[4].str());
    if (!value) continue;
    (m[2] == "A" ? amps : volts)[m[1].str()] = *value;
  }
  rail_watts->clear();
  for (const auto& [rail, a] : amps) {
    if (const auto v = volts.find(rail); v != volts.end()) (*rail_watts)[rail] = a * v->second;
  }
  return !rail_watts->empty();
}

bool read_pmic_rails(std::map<std::string, double>* rail_watts, std::string* why) {
  const std::string program = vcgencmd_program();
  if (!on_path(program)) {
    *why = "no " + program + " on PATH (not a Raspberry Pi OS / Debian install with raspi-utils)";
    return false;
  }
  std::string output;
  const int rc = run_process_capture({program, "pmic_read_adc"}, &output);
  if (rc != 0 || !parse_pmic_adc(output, rail_watts)) {
    const std::string first = trim(output.substr(0, output.find('\n')));
    *why = program + " pmic_read_adc " + (rc != 0 ? fmt::format("exited with status {}", rc) : "printed no rail") +
           (first.empty() ? "" : " (\"" + first + "\")") + ": only a Raspberry Pi 5 has this PMIC";
    return false;
  }
  return true;
}

std::unique_ptr<Meter> make_rpi_pmic_meter() {
  std::map<std::string, double> rails;
  std::string why;
  if (!read_pmic_rails(&rails, &why)) throw Error("cannot use --meter rpi-pmic: " + why);
  return make_rpi_pmic_meter(rails);
}

std::unique_ptr<Meter> make_rpi_pmic_meter(const std::map<std::string, double>& rails) {
  std::vector<std::string> names;
  for (const auto& [rail, w] : rails) names.push_back(rail);
  return std::make_unique<RpiPmicMeter>(names);
}

}  // namespace edgejoule
