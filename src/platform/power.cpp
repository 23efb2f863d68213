#include "platform/power.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/process.h"
#include "common/strings.h"
#include "platform/nvml_api.h"
#include "platform/sysfs.h"

namespace edgejoule {
namespace fs = std::filesystem;

namespace {

std::optional<long long> read_khz(const fs::path& file) {
  const auto v = read_sysfs_u64(file.string());
  if (!v.value) return std::nullopt;
  return static_cast<long long>(*v.value);
}

std::string read_text(const fs::path& file) { return trim(read_sysfs_text(file.string()).value_or("")); }

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& w : split(text, ' ')) {
    if (!trim(w).empty()) out.push_back(trim(w));
  }
  return out;
}

std::vector<CpufreqPolicy> read_cpufreq(const std::string& root, std::string* missing) {
  std::vector<CpufreqPolicy> policies;
  const fs::path dir = under_root(root, "/sys/devices/system/cpu/cpufreq");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *missing = "no cpufreq in this kernel (" + dir.string() +
               " is missing: a VM or a kernel without CPU frequency scaling)";
    return policies;
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!starts_with(name, "policy")) continue;
    CpufreqPolicy p;
    p.name = name;
    p.path = entry.path().string();
    p.cpus = read_text(entry.path() / "affected_cpus");
    p.governor = read_text(entry.path() / "scaling_governor");
    p.governors = words(read_text(entry.path() / "scaling_available_governors"));
    p.min_khz = read_khz(entry.path() / "scaling_min_freq");
    p.max_khz = read_khz(entry.path() / "scaling_max_freq");
    p.cur_khz = read_khz(entry.path() / "scaling_cur_freq");
    p.hw_min_khz = read_khz(entry.path() / "cpuinfo_min_freq");
    p.hw_max_khz = read_khz(entry.path() / "cpuinfo_max_freq");
    for (const auto& w : words(read_text(entry.path() / "scaling_available_frequencies"))) {
      try {
        p.available_khz.push_back(std::stoll(w));
      } catch (const std::exception&) {
      }
    }
    p.writable = ::access((entry.path() / "scaling_max_freq").c_str(), W_OK) == 0 &&
                 ::access((entry.path() / "scaling_governor").c_str(), W_OK) == 0;
    policies.push_back(std::move(p));
  }
  std::sort(policies.begin(), policies.end(), [](const auto& a, const auto& b) {
    return a.name.size() != b.name.size() ? a.name.size() < b.name.size() : a.name < b.name;
  });
  if (policies.empty()) *missing = "no cpufreq policy under " + dir.string();
  return policies;
}

std::vector<GpuPowerState> read_gpus(std::string* missing) {
  std::vector<GpuPowerState> gpus;
  // Loaded once per process: the state is read before every cuda point, and nvmlInit costs far
  // more than the queries.
  static NvmlApi api;
  static const std::string why_unavailable = api.load();
  if (!why_unavailable.empty()) {
    *missing = why_unavailable;
    return gpus;
  }
  unsigned int count = 0;
  if (api.device_count(&count) != kNvmlSuccess) {
    *missing = "NVML lists no GPU";
    return gpus;
  }
  for (unsigned int i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    if (api.device_by_index(i, &device) != kNvmlSuccess) continue;
    GpuPowerState g;
    g.index = static_cast<int>(i);
    char name[96] = {};
    if (api.device_name && api.device_name(device, name, sizeof(name)) == kNvmlSuccess) g.name = name;
    unsigned int mw = 0, lo = 0, hi = 0, mhz = 0;
    if (api.power_limit_mw && api.power_limit_mw(device, &mw) == kNvmlSuccess) g.power_limit_w = mw / 1000.0;
    if (api.default_power_limit_mw && api.default_power_limit_mw(device, &mw) == kNvmlSuccess) {
      g.default_power_limit_w = mw / 1000.0;
    }
    if (api.power_limit_constraints_mw && api.power_limit_constraints_mw(device, &lo, &hi) == kNvmlSuccess) {
      g.min_power_limit_w = lo / 1000.0;
      g.max_power_limit_w = hi / 1000.0;
    }
    if (api.clock_mhz && api.clock_mhz(device, 1, &mhz) == kNvmlSuccess) g.sm_clock_mhz = mhz;
    if (api.clock_mhz && api.clock_mhz(device, 2, &mhz) == kNvmlSuccess) g.memory_clock_mhz = mhz;
    int pstate = 0;
    if (api.performance_state && api.performance_state(device, &pstate) == kNvmlSuccess) g.performance_state = pstate;
    g.can_set_power_limit = api.set_power_limit_mw != nullptr;
    g.can_lock_clocks = api.set_locked_clocks_mhz != nullptr && api.reset_locked_clocks != nullptr;
    gpus.push_back(std::move(g));
  }
  if (gpus.empty()) *missing = "NVML lists no GPU";
  return gpus;
}

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<std::pair<std::string, int>> query_nvpmodel() {
  std::string out;
  const int rc = run_process_capture({"nvpmodel", "-q"}, &out);
  if (rc < 0 || rc == 127) return std::nullopt;  // not on PATH
  std::string mode;
  std::optional<int> id;
  for (const auto& raw : split(out, '\n')) {
    const std::string line = trim(raw);
    if (starts_with(line, "NV Power Mode:")) {
      mode = trim(line.substr(14));
    } else if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos && !id) {
      id = std::stoi(line);
    }
  }
  if (rc != 0 || mode.empty() || !id) return std::make_pair(std::string("unknown (nvpmodel -q failed)"), -1);
  return std::make_pair(mode, *id);
}

PlatformState read_platform_state(const std::string& root, bool with_gpu) {
  PlatformState s;
  s.cpufreq = read_cpufreq(root, &s.cpufreq_missing);
  if (with_gpu) {
    s.gpus = read_gpus(&s.gpu_missing);
  } else {
    s.gpu_missing = "not read (no cuda configuration)";
  }
  if (const auto nv = query_nvpmodel()) {
    s.jetson.nvpmodel_present = true;
    s.jetson.nvpmodel_mode = nv->first;
    if (nv->second >= 0) s.jetson.nvpmodel_id = nv->second;
    // jetson_clocks pins every CPU policy's minimum frequency at its maximum.
    if (!s.cpufreq.empty()) {
      bool pinned = true;
      for (const auto& p : s.cpufreq) pinned &= p.min_khz && p.hw_max_khz && *p.min_khz == *p.hw_max_khz;
      s.jetson.jetson_clocks = pinned;
    }
  }
  return s;
}

std::string PlatformState::to_json() const {
  nlohmann::json j;
  j["cpufreq"] = nlohmann::json::array();
  for (const auto& p : cpufreq) {
    j["cpufreq"].push_back({{"policy", p.name}, {"cpus", p.cpus}, {"governor", p.governor},
                            {"min_khz", opt(p.min_khz)}, {"max_khz", opt(p.max_khz)}, {"cur_khz", opt(p.cur_khz)},
                            {"hw_min_khz", opt(p.hw_min_khz)}, {"hw_max_khz", opt(p.hw_max_khz)}});
  }
  if (!cpufreq_missing.empty()) j["cpufreq_missing"] = cpufreq_missing;
  j["gpus"] = nlohmann::json::array();
  for (const auto& g : gpus) {
    j["gpus"].push_back({{"index", g.index}, {"name", g.name}, {"power_limit_w", opt(g.power_limit_w)},
                         {"default_power_limit_w", opt(g.default_power_limit_w)},
                         {"sm_clock_mhz", opt(g.sm_clock_mhz)}, {"memory_clock_mhz", opt(g.memory_clock_mhz)},
                         {"performance_state", opt(g.performance_state)}});
  }
  if (!gpu_missing.empty()) j["gpu_missing"] = gpu_missing;
  if (jetson.nvpmodel_present) {
    j["jetson"] = {{"nvpmodel_mode", jetson.nvpmodel_mode}, {"nvpmodel_id", opt(jetson.nvpmodel_id)},
                   {"jetson_clocks_inferred", opt(jetson.jetson_clocks)}};
  }
  return j.dump();
}

std::vector<PlatformKnob> platform_knobs(const PlatformState& s) {
  std::vector<PlatformKnob> knobs;
  const bool root = ::geteuid() == 0;
  {
    PlatformKnob freq{"cpu_max_freq_khz", "--cpu-max-freq-khz", false, "", ""};
    PlatformKnob gov{"cpu_governor", "--cpu-governor", false, "", ""};
    if (s.cpufreq.empty()) {
      freq.why_not = gov.why_not = s.cpufreq_missing;
    } else if (!std::all_of(s.cpufreq.begin(), s.cpufreq.end(), [](const auto& p) { return p.writable; })) {
      freq.why_not = gov.why_not = "cpufreq files are not writable by this process (run as root, on a device you own)";
    } else {
      const auto& p = s.cpufreq.front();
      freq.available = gov.available = true;
      freq.values = !p.available_khz.empty()
                        ? join([&] {
                            std::vector<std::string> v;
                            for (auto k : p.available_khz) v.push_back(std::to_string(k));
                            return v;
                          }(), ",")
                        : fmt::format("{}-{} kHz", p.hw_min_khz.value_or(0), p.hw_max_khz.value_or(0));
      gov.values = join(p.governors, ",");
    }
    knobs.push_back(freq);
    knobs.push_back(gov);
  }
  {
    PlatformKnob limit{"gpu_power_limit_w", "--gpu-power-limit-w", false, "", ""};
    PlatformKnob clocks{"gpu_locked_clocks_mhz", "--gpu-locked-clocks-mhz", false, "", ""};
    if (s.gpus.empty()) {
      limit.why_not = clocks.why_not = "no NVIDIA GPU: " + s.gpu_missing;
    } else {
      const auto& g = s.gpus.front();
      if (!g.can_set_power_limit) {
        limit.why_not = "this NVML has no nvmlDeviceSetPowerManagementLimit";
      } else if (!root) {
        limit.why_not = "needs root (NVML refuses power-limit changes to other users)";
      } else {
        limit.available = true;
        limit.values = fmt::format("{:.0f}-{:.0f} W", g.min_power_limit_w.value_or(0), g.max_power_limit_w.value_or(0));
      }
      if (!g.can_lock_clocks) {
        clocks.why_not = "this NVML has no nvmlDeviceSetGpuLockedClocks (Volta or newer)";
      } else if (!root) {
        clocks.why_not = "needs root (NVML refuses clock changes to other users)";
      } else {
        clocks.available = true;
        clocks.values = "MHz (locks min = max)";
      }
    }
    knobs.push_back(limit);
    knobs.push_back(clocks);
  }
  {
    PlatformKnob mode{"nvpmodel", "--nvpmodel", false, "", ""};
    if (!s.jetson.nvpmodel_present) {
      mode.why_not = "no nvpmodel on PATH (not a Jetson)";
    } else if (!root) {
      mode.why_not = "needs root (nvpmodel -m)";
    } else {
      mode.available = true;
      mode.values = "mode ids of /etc/nvpmodel.conf";
    }
    knobs.push_back(mode);
  }
  return knobs;
}

}  // namespace edgejoule
