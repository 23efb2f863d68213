// On-board power monitors:
//  - hwmon: /sys/class/hwmon/hwmon*/ power*_input (µW), energy*_input (µJ counter), and the
//    in*_input (mV) + curr*_input (mA) pairs of the INA3221 driver on Jetson modules from L4T 34
//    (kernel Documentation/hwmon/ina3221.rst: channels 1-3 are the rails; in4-in6 are shunt
//    voltages in µV, in7 and curr4 their sums, which are not rails).
//  - the ina3221x IIO driver of L4T 32 (Nano, TX2, Xavier): /sys/bus/i2c/devices/*/iio:device*/
//    rail_name_N with in_power N_input (mW).
// The board total: VDD_IN (Orin Nano / NX, Xavier NX) or POM_5V_IN (Nano, TX2) is the module's
// input rail. AGX Orin and AGX Xavier have none (VIN_SYS_5V0 on AGX Orin is one more rail, not
// the total: jetson-stats issue 344), so the sum of their rails stands for the module's power,
// as jetson-stats computes it (jetson-stats issue 51); see docs/meters.md.

#include <algorithm>
#include <filesystem>
#include <optional>
#include <regex>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"
#include "platform/sysfs.h"

namespace edgejoule {
namespace fs = std::filesystem;

namespace {

bool is_board_total(const std::string& label) {
  const std::string u = to_upper(label);
  // 5V_IN: Xavier NX's input rail as some L4T 32 releases name it (energymon's Jetson defaults).
  for (const char* total : {"VDD_IN", "POM_5V_IN", "5V_IN", "VIN", "TOTAL", "BOARD"}) {
    if (u == total) return true;
  }
  return false;
}

std::string label_of(const fs::path& dir, const std::string& stem) {
  return read_sysfs_text((dir / (stem + "_label")).string()).value_or(stem);
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void check_readable(HwmonSensor& s) {
  const auto v = read_sysfs_u64(s.path);
  s.readable = v.value.has_value();
  s.error = v.error;
  if (s.readable && s.kind == "vi") {
    const auto c = read_sysfs_u64(s.current_path);
    s.readable = c.value.has_value();
    s.error = c.error;
  }
}

void add_hwmon_sensors(const std::string& sysfs_root, std::vector<HwmonSensor>& sensors) {
  const fs::path base = under_root(sysfs_root, "/sys/class/hwmon");
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return;
  static const std::regex kFile(R"((power|energy|in|curr)(\d+)_input)");
  for (const auto& chip_dir : sorted_entries(base)) {
    const std::string chip = read_sysfs_text((chip_dir / "name").string()).value_or(chip_dir.filename().string());
    const bool ina3221 = starts_with(chip, "ina3221");
    for (const auto& file_path : sorted_entries(chip_dir)) {
      const std::string file = file_path.filename().string();
      std::smatch m;
      if (!std::regex_match(file, m, kFile)) continue;
      const std::string kind = m[1];
      const std::string index = m[2];
      HwmonSensor s;
      s.chip = chip;
      if (kind == "power" || kind == "energy") {
        s.kind = kind;
        s.path = file_path.string();
        s.label = label_of(chip_dir, kind + index);
      } else if (kind == "in") {
        // INA3221: only channels 1-3 are rails (in4-in7 are shunt voltages and their sum).
        if (ina3221 && std::stoi(index) > 3) continue;
        const auto curr = chip_dir / ("curr" + index + "_input");
        if (!fs::exists(curr, ec)) continue;  // a voltage alone is not power
        // The chip computes this channel's power itself (INA238, INA2xx): that one is the sensor.
        if (fs::exists(chip_dir / ("power" + index + "_input"), ec)) continue;
        s.kind = "vi";
        s.path = file_path.string();
        s.current_path = curr.string();
        s.label = label_of(chip_dir, "in" + index);
        if (s.label == "in" + index) s.label = label_of(chip_dir, "curr" + index);
      } else {
        continue;
      }
      if (to_upper(trim(s.label)) == "NC") continue;  // a channel wired to nothing
      s.jetson_rail = ina3221 && s.kind == "vi";
      sensors.push_back(std::move(s));
    }
  }
}

void add_iio_sensors(const std::string& sysfs_root, std::vector<HwmonSensor>& sensors) {
  const fs::path base = under_root(sysfs_root, "/sys/bus/i2c/devices");
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return;
  static const std::regex kRail(R"(rail_name_(\d+))");
  for (const auto& device : sorted_entries(base)) {
    const std::string chip = read_sysfs_text((device / "name").string()).value_or("");
    if (!starts_with(chip, "ina3221")) continue;
    for (const auto& iio : sorted_entries(device)) {
      if (!starts_with(iio.filename().string(), "iio:device")) continue;
      for (const auto& file_path : sorted_entries(iio)) {
        const std::string file = file_path.filename().string();
        std::smatch m;
        if (!std::regex_match(file, m, kRail)) continue;
        HwmonSensor s;
        s.chip = chip;
        s.kind = "iio";
        s.label = read_sysfs_text(file_path.string()).value_or(file);
        if (to_upper(trim(s.label)) == "NC") continue;
        s.path = (iio / ("in_power" + std::string(m[1]) + "_input")).string();
        s.jetson_rail = true;
        sensors.push_back(std::move(s));
      }
    }
  }
}

}  // namespace

std::vector<HwmonSensor> find_hwmon_sensors(const std::string& sysfs_root) {
  std::vector<HwmonSensor> sensors;
  add_hwmon_sensors(sysfs_root, sensors);
  add_iio_sensors(sysfs_root, sensors);
  const bool jetson = std::any_of(sensors.begin(), sensors.end(), [](const HwmonSensor& s) { return s.jetson_rail; });
  for (auto& s : sensors) {
    check_readable(s);
    // AGX Thor: the carrier board's INA238 (no label) measures the system input, VIN, that feeds
    // the module and the carrier board (NVIDIA's forum: "the INA238 would measure the total input
    // power"; jetson-stats PR 900 takes it for the total).
    if (jetson && s.chip == "ina238" && s.kind == "power" && s.label == "power1") s.label = "VIN";
    s.board_total = is_board_total(s.label);
  }
  return sensors;
}

bool is_gpu_card_sensor(const HwmonSensor& sensor) {
  for (const char* gpu : {"amdgpu", "i915", "xe", "nouveau", "radeon"}) {
    if (sensor.chip == gpu) return true;
  }
  return false;
}

namespace {

bool label_is(const HwmonSensor& s, const char* label) { return to_upper(s.label) == label; }

bool has_label(const std::vector<HwmonSensor>& sensors, const char* label) {
  return std::any_of(sensors.begin(), sensors.end(), [&](const HwmonSensor& s) { return label_is(s, label); });
}

}  // namespace

JetsonRailSum jetson_rails_to_sum(const std::vector<HwmonSensor>& sensors) {
  JetsonRailSum sum;
  const auto total = std::find_if(sensors.begin(), sensors.end(), [](const HwmonSensor& s) { return s.board_total; });
  if (total != sensors.end()) {
    // TX1 / TX2: VDD_IN feeds the module and VDD_MUX the carrier board, two branches of the main
    // supply (energymon's JetsonPowerRails.md, NVIDIA's forum "TX2 power rail relationships"):
    // their sum is the board's input.
    const auto mux = std::find_if(sensors.begin(), sensors.end(), [](const HwmonSensor& s) {
      return s.jetson_rail && label_is(s, "VDD_MUX");
    });
    if (!total->jetson_rail || mux == sensors.end()) return sum;
    sum.rails = {*total, *mux};
    sum.covers = "board total: module input " + total->label + " + carrier board input " + mux->label +
                 " (two branches of the main supply)";
    return sum;
  }
  // AGX Orin: VIN_SYS_5V0 supplies VDDQ_VDD2_1V8AO (NVIDIA's forum "Jetson AGX Orin INA3221 power
  // monitor layout"), so adding both would count that rail twice.
  const bool downstream_of_5v0 = has_label(sensors, "VIN_SYS_5V0");
  std::vector<std::string> labels;
  std::string left_out;
  for (const auto& s : sensors) {
    if (!s.jetson_rail) continue;
    if (downstream_of_5v0 && label_is(s, "VDDQ_VDD2_1V8AO")) {
      left_out = "; " + s.label + " left out: VIN_SYS_5V0 supplies it";
      continue;
    }
    sum.rails.push_back(s);
    labels.push_back(s.label);
  }
  if (!sum.rails.empty()) {
    sum.covers = "sum of the module's rails " + join(labels, " + ") +
                 " (no rail here is the board total; the sum stands for the module's power, the carrier board "
                 "not included" + left_out + ")";
  }
  return sum;
}

namespace {

// One channel, or the sum of several power channels (the Jetson rails standing for a total).
class HwmonMeter final : public SampledMeter {
 public:
  explicit HwmonMeter(std::vector<HwmonSensor> sensors, std::string sum_covers = "")
      : SampledMeter(std::chrono::milliseconds(20)), sensors_(std::move(sensors)), sum_covers_(std::move(sum_covers)) {}

  // The sampling thread calls poll(), which uses this class's members: stop it first.
  ~HwmonMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    const HwmonSensor& first = sensors_.front();
    const std::string what = first.kind == "energy" ? "energy counter" : "power sensor";
    if (sensors_.size() > 1) {
      std::vector<std::string> labels;
      for (const auto& s : sensors_) labels.push_back(s.label);
      m.name = "hwmon:sum(" + join(labels, "+") + ")";
      m.covers = sum_covers_;
    } else {
      m.name = "hwmon:" + first.id();
      m.covers = first.board_total       ? "board total (" + first.label + ", " + what + ")"
                 : is_gpu_card_sensor(first) ? "the " + first.chip + " GPU card's " + first.label +
                                                   " only, not the CPU or the board (" + what + ")"
                                             : "rail " + first.label + " only, not the board total (" + what + ")";
    }
    m.provenance = "measured:" + m.name;
    m.update_period_s = 0.02;
    return m;
  }

 protected:
  void open() override {
    if (!read_power_or_energy()) {
      throw Error("cannot read power sensor " + failed_path_ + " (" + last_error_ +
                  "): check its permissions, or choose another --meter");
    }
  }

  void poll() override {
    const double now = unix_now_s();
    const auto value = read_power_or_energy();
    if (!value) return;
    if (sensors_.front().kind == "energy") {
      if (have_last_) {
        const long double d = counter_delta(last_counter_uj_, static_cast<unsigned long long>(*value), 0);
        if (d < 0) return;
        if (d == 0) {
          note_polled(now);
          return;
        }
        total_j_ += static_cast<double>(d / 1e6L);
        note_change(now);
      }
      last_counter_uj_ = static_cast<unsigned long long>(*value);
      have_last_ = true;
      add_point(now, total_j_);
      return;
    }
    const double power_w = *value;
    if (have_last_ && power_w != last_power_w_) note_change(now);
    if (have_last_) total_j_ += 0.5 * (power_w + last_power_w_) * (now - last_t_s_);  // trapezoid
    last_power_w_ = power_w;
    last_t_s_ = now;
    have_last_ = true;
    add_point(now, total_j_);
  }

 private:
  // Watts for power channels (summed), µJ for an energy counter.
  std::optional<double> read_power_or_energy() {
    double total = 0;
    for (const auto& s : sensors_) {
      const auto v = read_sysfs_u64(s.path);
      if (!v.value) return failed(s.path, v.error);
      if (s.kind == "energy") return static_cast<double>(*v.value);
      if (s.kind == "power") {
        total += static_cast<double>(*v.value) / 1e6;  // µW
      } else if (s.kind == "iio") {
        total += static_cast<double>(*v.value) / 1e3;  // mW
      } else {
        const auto c = read_sysfs_u64(s.current_path);
        if (!c.value) return failed(s.current_path, c.error);
        total += static_cast<double>(*v.value) * static_cast<double>(*c.value) / 1e6;  // mV × mA
      }
    }
    return total;
  }

  std::optional<double> failed(const std::string& path, const std::string& error) {
    failed_path_ = path;
    last_error_ = error;
    return std::nullopt;
  }

  std::vector<HwmonSensor> sensors_;
  std::string sum_covers_;  // what a sum of channels covers (jetson_rails_to_sum)
  std::string failed_path_;
  std::string last_error_;
  bool have_last_ = false;
  unsigned long long last_counter_uj_ = 0;
  double last_power_w_ = 0;
  double last_t_s_ = 0;
  double total_j_ = 0;
};

std::string sensor_names(const std::vector<HwmonSensor>& sensors) {
  std::string names;
  for (const auto& s : sensors) names += (names.empty() ? "" : ", ") + s.id();
  return names;
}

}  // namespace

std::unique_ptr<Meter> make_hwmon_meter(const std::string& sysfs_root, const std::string& label) {
  const auto sensors = find_hwmon_sensors(sysfs_root);
  if (sensors.empty()) {
    throw Error("no hwmon power or energy sensors under " + under_root(sysfs_root, "/sys/class/hwmon") +
                " (nor a Jetson ina3221x monitor under " + under_root(sysfs_root, "/sys/bus/i2c/devices") +
                "): use --meter rapl, log:FILE or estimate");
  }
  const auto sum = jetson_rails_to_sum(sensors);
  if (label == "sum") {
    if (sum.rails.empty()) {
      throw Error("--meter hwmon:sum adds up a Jetson's rails where no single rail is the board total, and this "
                  "machine has a board-total rail or no Jetson rail (" + sensor_names(sensors) + "): use --meter hwmon");
    }
    return std::make_unique<HwmonMeter>(sum.rails, sum.covers);
  }
  std::vector<const HwmonSensor*> candidates;
  for (const auto& s : sensors) {
    if (label.empty() || s.label == label || s.id() == label) candidates.push_back(&s);
  }
  if (candidates.empty()) {
    throw Error("no hwmon sensor labelled '" + label + "'; this machine has: " + sensor_names(sensors) +
                (sum.rails.empty() ? "" : ", and hwmon:sum"));
  }
  // Prefer what stands for the board's total: the Jetson rails' sum where that is it (TX2's two
  // inputs; modules without a total rail), else the board-total rail; then an energy counter,
  // then any power reading.
  const bool sum_readable = !sum.rails.empty() && std::all_of(sum.rails.begin(), sum.rails.end(),
                                                              [](const HwmonSensor& r) { return r.readable; });
  if (label.empty() && sum_readable) return std::make_unique<HwmonMeter>(sum.rails, sum.covers);
  for (auto* s : candidates) {
    if (s->board_total && s->readable) return std::make_unique<HwmonMeter>(std::vector<HwmonSensor>{*s});
  }
  // A discrete GPU card's sensor only when nothing else can be read.
  auto pick = [&]() -> const HwmonSensor* {
    for (const bool gpu_too : {false, true}) {
      auto usable = [gpu_too](const HwmonSensor* s) { return s->readable && (gpu_too || !is_gpu_card_sensor(*s)); };
      for (auto* s : candidates) if (s->kind == "energy" && usable(s)) return s;
      for (auto* s : candidates) if (usable(s)) return s;
    }
    return candidates.front();
  };
  return std::make_unique<HwmonMeter>(std::vector<HwmonSensor>{*pick()});
}

}  // namespace edgejoule
