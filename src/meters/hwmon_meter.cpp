// hwmon: /sys/class/hwmon/hwmon*/ power*_input (µW), energy*_input (µJ counter), and the
// in*_input (mV) + curr*_input (mA) pairs that the INA3221 driver on Jetson boards exposes
// per rail (VDD_IN is the board total on Orin and Xavier, POM_5V_IN on Nano).

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"
#include "platform/sysfs.h"

namespace edgejoule {
namespace fs = std::filesystem;

namespace {

bool is_board_total(const std::string& label) {
  std::string upper = label;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const char* total : {"VDD_IN", "POM_5V_IN", "VIN", "VIN_SYS_5V0", "SYS5V", "TOTAL", "BOARD"}) {
    if (upper == total) return true;
  }
  return false;
}

std::string label_of(const fs::path& dir, const std::string& stem) {
  return read_sysfs_text((dir / (stem + "_label")).string()).value_or(stem);
}

}  // namespace

std::vector<HwmonSensor> find_hwmon_sensors(const std::string& sysfs_root) {
  std::vector<HwmonSensor> sensors;
  const fs::path base = under_root(sysfs_root, "/sys/class/hwmon");
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return sensors;
  std::vector<fs::path> chips;
  for (const auto& e : fs::directory_iterator(base, ec)) chips.push_back(e.path());
  std::sort(chips.begin(), chips.end());
  static const std::regex kFile(R"((power|energy|in|curr)(\d+)_input)");
  for (const auto& chip_dir : chips) {
    const std::string chip = read_sysfs_text((chip_dir / "name").string()).value_or(chip_dir.filename().string());
    std::vector<std::string> files;
    for (const auto& f : fs::directory_iterator(chip_dir, ec)) files.push_back(f.path().filename().string());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::smatch m;
      if (!std::regex_match(file, m, kFile)) continue;
      const std::string kind = m[1];
      const std::string index = m[2];
      HwmonSensor s;
      s.chip = chip;
      if (kind == "power" || kind == "energy") {
        s.kind = kind;
        s.path = (chip_dir / file).string();
        s.label = label_of(chip_dir, kind + index);
      } else if (kind == "in") {
        const auto curr = chip_dir / ("curr" + index + "_input");
        if (!fs::exists(curr, ec)) continue;  // a voltage alone is not power
        s.kind = "vi";
        s.path = (chip_dir / file).string();
        s.current_path = curr.string();
        s.label = label_of(chip_dir, "in" + index);
        if (s.label == "in" + index) s.label = label_of(chip_dir, "curr" + index);
      } else {
        continue;
      }
      const auto v = read_sysfs_u64(s.path);
      s.readable = v.value.has_value();
      s.error = v.error;
      if (s.readable && s.kind == "vi") {
        const auto c = read_sysfs_u64(s.current_path);
        s.readable = c.value.has_value();
        s.error = c.error;
      }
      s.board_total = is_board_total(s.label);
      sensors.push_back(std::move(s));
    }
  }
  return sensors;
}

namespace {

class HwmonMeter final : public SampledMeter {
 public:
  explicit HwmonMeter(HwmonSensor sensor)
      : SampledMeter(std::chrono::milliseconds(20)), sensor_(std::move(sensor)) {}

  // The sampling thread calls poll(), which uses this class's members: stop it first.
  ~HwmonMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    m.name = "hwmon:" + sensor_.id();
    m.provenance = "measured:" + m.name;
    const std::string what = sensor_.kind == "energy" ? "energy counter" : "power sensor";
    m.covers = sensor_.board_total ? "board total (" + sensor_.label + ", " + what + ")"
                                   : "rail " + sensor_.label + " only, not the board total (" + what + ")";
    m.update_period_s = 0.02;
    return m;
  }

 protected:
  void open() override {
    if (!read_power_or_energy()) {
      throw Error("cannot read hwmon sensor " + sensor_.path + " (" + last_error_ +
                  "): check its permissions, or choose another --meter");
    }
  }

  void poll() override {
    const double now = unix_now_s();
    const auto value = read_power_or_energy();
    if (!value) return;
    if (sensor_.kind == "energy") {
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
  // Watts for power sensors, µJ for energy counters.
  std::optional<double> read_power_or_energy() {
    const auto v = read_sysfs_u64(sensor_.path);
    if (!v.value) {
      last_error_ = v.error;
      return std::nullopt;
    }
    if (sensor_.kind == "energy") return static_cast<double>(*v.value);
    if (sensor_.kind == "power") return static_cast<double>(*v.value) / 1e6;
    const auto c = read_sysfs_u64(sensor_.current_path);
    if (!c.value) {
      last_error_ = c.error;
      return std::nullopt;
    }
    return static_cast<double>(*v.value) * static_cast<double>(*c.value) / 1e6;  // mV × mA
  }

  HwmonSensor sensor_;
  std::string last_error_;
  bool have_last_ = false;
  unsigned long long last_counter_uj_ = 0;
  double last_power_w_ = 0;
  double last_t_s_ = 0;
  double total_j_ = 0;
};

}  // namespace

std::unique_ptr<Meter> make_hwmon_meter(const std::string& sysfs_root, const std::string& label) {
  const auto sensors = find_hwmon_sensors(sysfs_root);
  if (sensors.empty()) {
    throw Error("no hwmon power or energy sensors under " + under_root(sysfs_root, "/sys/class/hwmon") +
                ": use --meter rapl, log:FILE or estimate");
  }
  std::vector<const HwmonSensor*> candidates;
  for (const auto& s : sensors) {
    if (label.empty() || s.label == label || s.id() == label) candidates.push_back(&s);
  }
  if (candidates.empty()) {
    std::string names;
    for (const auto& s : sensors) names += (names.empty() ? "" : ", ") + s.id();
    throw Error("no hwmon sensor labelled '" + label + "'; this machine has: " + names);
  }
  // Prefer the board total, then an energy counter, then any power reading.
  auto pick = [&]() -> const HwmonSensor* {
    for (auto* s : candidates) if (s->board_total && s->readable) return s;
    for (auto* s : candidates) if (s->kind == "energy" && s->readable) return s;
    for (auto* s : candidates) if (s->readable) return s;
    return candidates.front();
  };
  return std::make_unique<HwmonMeter>(*pick());
}

}  // namespace edgejoule
