// RAPL through Linux powercap: /sys/class/powercap/intel-rapl:N (package) and intel-rapl:N:M
// (core, uncore, dram) zones, each with `name`, `energy_uj` and `max_energy_range_uj`.
// Recent AMD CPUs appear under the same intel-rapl names.

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.h"
#include "common/strings.h"
#include "meters/rapl.h"
#include "platform/sysfs.h"

namespace edgejoule {
namespace fs = std::filesystem;

const char* kRaplRootOnly =
    "since Linux 5.10 RAPL energy_uj is readable only by root (CVE-2020-8694): run edgejoule as "
    "root, or grant read access until the next boot with 'sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj' "
    "(every boot: the udev rule in docs/meters.md; in a container, also mount /sys/class/powercap, e.g. "
    "docker run -v /sys/class/powercap:/sys/class/powercap:ro); --meter estimate works without it";

std::vector<RaplZone> find_rapl_zones(const std::string& sysfs_root) {
  std::vector<RaplZone> zones;
  const fs::path base = under_root(sysfs_root, "/sys/class/powercap");
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return zones;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const auto name = entry.path().filename().string();
    if (starts_with(name, "intel-rapl:")) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    RaplZone z;
    z.path = dir.string();
    z.id = dir.filename().string();
    z.name = read_sysfs_text((dir / "name").string()).value_or(z.id);
    z.top_level = std::count(z.id.begin(), z.id.end(), ':') == 1;
    const auto range = read_sysfs_u64((dir / "max_energy_range_uj").string());
    z.max_energy_range_uj = range.value.value_or(0);
    const auto energy = read_sysfs_u64((dir / "energy_uj").string());
    z.readable = energy.value.has_value();
    z.permission_denied = energy.permission_denied;
    z.error = energy.error;
    zones.push_back(std::move(z));
  }
  return zones;
}

namespace {

// package-0 and package-1 both exist on two-socket machines; name zones uniquely.
std::string zone_label(const RaplZone& z, const std::vector<RaplZone>& all) {
  const auto same = std::count_if(all.begin(), all.end(), [&](const RaplZone& o) { return o.name == z.name; });
  return same > 1 ? z.name + "@" + z.id : z.name;
}

std::string describe_domains(const std::vector<std::string>& names) {
  std::string covers;
  for (const auto& n : names) {
    std::string what = n;
    if (starts_with(n, "package")) what = n + " (CPU package: cores, caches, uncore)";
    else if (n == "core") what = "core (CPU cores only)";
    else if (n == "uncore") what = "uncore (integrated GPU / last-level cache)";
    else if (starts_with(n, "dram")) what = n + " (memory)";
    else if (n == "psys") what = "psys (the whole platform: SoC, memory and more, as the firmware reports it)";
    covers += (covers.empty() ? "" : " + ") + what;
  }
  return covers;
}

class RaplMeter final : public SampledMeter {
 public:
  RaplMeter(std::string sysfs_root, std::vector<std::string> wanted)
      : SampledMeter(std::chrono::milliseconds(20)), root_(std::move(sysfs_root)), wanted_(std::move(wanted)) {
    select_zones();
  }

  // The sampling thread calls poll(), which uses this class's members: stop it first.
  ~RaplMeter() override { stop(); }

  MeterInfo info() const override {
    MeterInfo m;
    std::vector<std::string> names;
    for (const auto& z : zones_) names.push_back(z.label);
    m.name = "rapl:" + join(names, "+");
    m.provenance = "measured:" + m.name;
    m.covers = describe_domains(names);
    m.update_period_s = 0.001;  // RAPL updates about every millisecond
    return m;
  }

 protected:
  void open() override {
    for (auto& z : zones_) {
      const auto v = read_sysfs_u64(z.path + "/energy_uj");
      if (!v.value) {
        if (v.permission_denied) throw Error("cannot read " + z.path + "/energy_uj: " + kRaplRootOnly);
        throw Error("cannot read " + z.path + "/energy_uj (" + v.error + "): the RAPL zone is unusable; "
                    "choose another --meter");
      }
      z.last_uj = *v.value;
    }
  }

  void poll() override {
    const double now = unix_now_s();
    for (auto& z : zones_) {
      const auto v = read_sysfs_u64(z.path + "/energy_uj");
      if (!v.value) return;  // a failed read leaves a gap; energy_between() notices missing points
      const long double d = counter_delta(z.last_uj, *v.value, z.max_energy_range_uj);
      if (d < 0) return;
      z.total_uj += d;
      z.last_uj = *v.value;
    }
    long double total = 0;
    for (const auto& z : zones_) total += z.total_uj;
    if (total == last_total_uj_ && have_point_) {
      note_polled(now);
      return;
    }
    if (have_point_) note_change(now);
    last_total_uj_ = total;
    have_point_ = true;
    add_point(now, static_cast<double>(total / 1e6L));
  }

 private:
  struct Selected {
    std::string path;
    std::string label;
    unsigned long long max_energy_range_uj = 0;
    unsigned long long last_uj = 0;
    long double total_uj = 0;
  };

  void select_zones() {
    const auto all = find_rapl_zones(root_);
    if (all.empty()) {
      throw Error("no RAPL zones under " + under_root(root_, "/sys/class/powercap") +
                  ": this is not an Intel/AMD host with powercap, or a VM that hides it; use "
                  "--meter hwmon, log:FILE or estimate");
    }
    // By default what stands for the machine's total: psys (the whole platform, on the Intel
    // parts that have it) alone, since it contains the rest; otherwise every package plus every
    // dram zone (RAPL's package excludes DRAM; core and uncore are inside the package).
    const bool psys = std::any_of(all.begin(), all.end(), [](const RaplZone& z) { return z.name == "psys" && z.readable; });
    for (const auto& z : all) {
      const std::string label = zone_label(z, all);
      const bool by_default = psys ? z.name == "psys"
                                   : (z.top_level && starts_with(z.name, "package")) || z.name == "dram";
      const bool wanted = wanted_.empty() ? by_default
                                          : std::find(wanted_.begin(), wanted_.end(), label) != wanted_.end() ||
                                                std::find(wanted_.begin(), wanted_.end(), z.name) != wanted_.end();
      if (!wanted) continue;
      zones_.push_back({z.path, label, z.max_energy_range_uj, 0, 0});
    }
    if (zones_.empty()) {
      std::string names;
      for (const auto& z : all) names += (names.empty() ? "" : ", ") + zone_label(z, all);
      throw Error("no RAPL zone matches --meter rapl:" + fmt::format("{}", fmt::join(wanted_, ",")) +
                  "; this machine has: " + names);
    }
  }

  std::string root_;
  std::vector<std::string> wanted_;
  std::vector<Selected> zones_;
  long double last_total_uj_ = 0;
  bool have_point_ = false;
};

}  // namespace

std::unique_ptr<Meter> make_rapl_meter(const std::string& sysfs_root, const std::vector<std::string>& domains) {
  return std::make_unique<RaplMeter>(sysfs_root, domains);
}

}  // namespace edgejoule
