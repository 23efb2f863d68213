#include "platform/knobs.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/process.h"
#include "common/strings.h"
#include "platform/nvml_api.h"
#include "platform/power.h"

namespace edgejoule {
namespace fs = std::filesystem;

const std::vector<PlatformKnobFlag>& platform_knob_flags() {
  static const std::vector<PlatformKnobFlag> flags = {
      {"--cpu-max-freq-khz", &PlatformKnobLists::cpu_max_freq_khz,
       "Platform knob: CPU maximum frequencies to sweep (every cpufreq policy), kHz, e.g. 1200000,2400000"},
      {"--cpu-governor", &PlatformKnobLists::cpu_governor,
       "Platform knob: CPU governors to sweep, e.g. powersave,performance"},
      {"--gpu-power-limit-w", &PlatformKnobLists::gpu_power_limit_w,
       "Platform knob: GPU power limits to sweep, W (NVML, root)"},
      {"--gpu-locked-clocks-mhz", &PlatformKnobLists::gpu_locked_clocks_mhz,
       "Platform knob: GPU clocks to lock (min = max), MHz (NVML, root)"},
      {"--nvpmodel", &PlatformKnobLists::nvpmodel, "Platform knob: Jetson power mode ids to sweep (root)"},
  };
  return flags;
}

bool PlatformKnobLists::any() const { return !flags_given().empty(); }

std::vector<std::string> PlatformKnobLists::flags_given() const {
  std::vector<std::string> flags;
  for (const auto& f : platform_knob_flags()) {
    if (!(this->*f.list).empty()) flags.emplace_back(f.flag);
  }
  return flags;
}

namespace {

void require_number(const std::string& value, const char* flag) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 12) {
    throw Error(fmt::format("invalid value '{}' for {}: give whole numbers, e.g. 1200000", value, flag));
  }
}

}  // namespace

std::vector<std::string> platform_settings(const PlatformKnobLists& lists) {
  // Knob name -> values, in name order (the canonical order).
  const std::vector<std::tuple<std::string, const std::vector<std::string>*, const char*, bool>> knobs = {
      {"cpu_governor", &lists.cpu_governor, "--cpu-governor", false},
      {"cpu_max_freq_khz", &lists.cpu_max_freq_khz, "--cpu-max-freq-khz", true},
      {"gpu_locked_clocks_mhz", &lists.gpu_locked_clocks_mhz, "--gpu-locked-clocks-mhz", true},
      {"gpu_power_limit_w", &lists.gpu_power_limit_w, "--gpu-power-limit-w", true},
      {"nvpmodel", &lists.nvpmodel, "--nvpmodel", true},
  };
  std::vector<std::string> settings{""};
  for (const auto& [name, values, flag, numeric] : knobs) {
    if (values->empty()) continue;
    std::vector<std::string> next;
    for (const auto& s : settings) {
      for (const auto& v : *values) {
        if (numeric) require_number(v, flag);
        if (!numeric && (v.empty() || v.find_first_of(",;= ") != std::string::npos)) {
          throw Error(fmt::format("invalid value '{}' for {}", v, flag));
        }
        next.push_back(s + (s.empty() ? "" : ",") + name + "=" + v);
      }
    }
    settings = std::move(next);
  }
  return settings;
}

std::map<std::string, std::string> parse_platform_setting(const std::string& setting) {
  std::map<std::string, std::string> out;
  if (setting.empty()) return out;
  for (const auto& item : split(setting, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) throw Error("malformed platform setting '" + setting + "'");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

bool point_uses_gpu(const std::string& device, const std::string& setting) {
  if (device == "cuda") return true;
  const auto knobs = parse_platform_setting(setting);
  return knobs.count("gpu_power_limit_w") || knobs.count("gpu_locked_clocks_mhz");
}

std::string platform_journal_path() {
  std::string dir;
  if (const char* d = std::getenv("EDGEJOULE_STATE_DIR"); d && *d) {
    dir = d;
  } else if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) {
    dir = std::string(x) + "/edgejoule";
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dir = std::string(h) + "/.local/state/edgejoule";
  } else {
    dir = "/tmp/edgejoule-state";
  }
  return dir + "/platform-journal.json";
}

namespace {

// ---- the journal ------------------------------------------------------------------------------

nlohmann::json read_journal(const std::string& path) {
  const auto text = read_file(path);
  if (!text) return nullptr;
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw Error("the platform journal '" + path + "' is unreadable (" + e.what() +
                "): check the platform settings by hand ('edgejoule platform'), then delete it");
  }
}

void write_journal(const std::string& path, const nlohmann::json& journal) {
  fs::create_directories(fs::path(path).parent_path());
  const std::string tmp = path + ".tmp";
  const std::string text = journal.dump(2) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  // The journal must be on disk before the change it records: a power loss in between leaves a
  // journal naming a change not made (restoring it is harmless), never the reverse.
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw Error("cannot write the platform journal '" + path + "' (" + std::strerror(errno) +
                "): no platform setting was changed; set EDGEJOULE_STATE_DIR to a writable directory");
  }
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// ---- the individual changes -------------------------------------------------------------------

void write_text(const std::string& path, const std::string& value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    throw Error(fmt::format("cannot write '{}' ({}): changing platform settings needs root, on a device you own",
                            path, std::strerror(errno)));
  }
  const std::string text = value + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int write_errno = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    throw Error(fmt::format("the kernel refused '{}' for '{}' ({})", value, path, std::strerror(write_errno)));
  }
}

std::string nvml_error(const NvmlApi& api, nvmlReturn_t rc) {
  return api.error(rc) + (rc == 4 ? " (needs root, on a device you own)" : "");
}

// One NVML session for a change or a restore.
struct NvmlDevice {
  NvmlApi api;
  nvmlDevice_t device = nullptr;
  explicit NvmlDevice(int index) {
    if (auto why = api.load(); !why.empty()) throw Error("cannot change the GPU: " + why);
    if (api.device_by_index(static_cast<unsigned>(index), &device) != kNvmlSuccess) {
      throw Error(fmt::format("cannot change the GPU: NVML has no device {}", index));
    }
  }
};

void set_gpu_power_limit_mw(int gpu, unsigned mw) {
  NvmlDevice d(gpu);
  if (!d.api.set_power_limit_mw) throw Error("this NVML cannot set power limits");
  if (const auto rc = d.api.set_power_limit_mw(d.device, mw); rc != kNvmlSuccess) {
    throw Error(fmt::format("NVML refused a power limit of {} W: {}", mw / 1000.0, nvml_error(d.api, rc)));
  }
}

void set_gpu_locked_clocks(int gpu, unsigned mhz) {
  NvmlDevice d(gpu);
  if (!d.api.set_locked_clocks_mhz || !d.api.reset_locked_clocks) throw Error("this NVML cannot lock clocks");
  const auto rc = mhz == 0 ? d.api.reset_locked_clocks(d.device) : d.api.set_locked_clocks_mhz(d.device, mhz, mhz);
  if (rc != kNvmlSuccess) {
    throw Error(fmt::format("NVML refused to {} the GPU clocks: {}", mhz == 0 ? "reset" : "lock", nvml_error(d.api, rc)));
  }
}

void set_nvpmodel(const std::string& id) {
  std::string out;
  const int rc = run_process_capture({"nvpmodel", "-m", id}, &out);
  if (rc != 0) {
    throw Error(fmt::format("'nvpmodel -m {}' failed (exit {}): {}", id, rc,
                            trim(out).empty() ? "needs root, on a Jetson you own" : trim(out)));
  }
}

// Reverts one journal entry.
std::string revert(const nlohmann::json& change) {
  const std::string kind = change.at("kind");
  const std::string previous = change.at("previous");
  if (kind == "file") {
    write_text(change.at("path"), previous);
    return fmt::format("{}: {} ({})", change.value("knob", std::string()), previous, change.at("path").get<std::string>());
  }
  if (kind == "gpu_power_limit") {
    set_gpu_power_limit_mw(change.at("gpu"), static_cast<unsigned>(std::stoul(previous)));
    return fmt::format("gpu_power_limit_w: {} (GPU {})", std::stoul(previous) / 1000.0, change.at("gpu").get<int>());
  }
  if (kind == "gpu_locked_clocks") {
    set_gpu_locked_clocks(change.at("gpu"), 0);
    return fmt::format("gpu_locked_clocks_mhz: reset (GPU {})", change.at("gpu").get<int>());
  }
  if (kind == "nvpmodel") {
    set_nvpmodel(previous);
    return "nvpmodel: mode " + previous;
  }
  throw Error("the platform journal has a change of unknown kind '" + kind + "'");
}

// What a setting changes: one action per knob and place, with how to read the current value.
struct Action {
  std::string knob, kind, path, target, where;
  int gpu = 0;
};

std::vector<Action> actions_for(const std::string& setting, const PlatformState& state) {
  std::vector<Action> actions;
  for (const auto& [knob, value] : parse_platform_setting(setting)) {
    if (knob == "cpu_max_freq_khz" || knob == "cpu_governor") {
      if (state.cpufreq.empty()) throw Error("cannot set " + knob + ": " + state.cpufreq_missing);
      for (const auto& p : state.cpufreq) {
        if (knob == "cpu_max_freq_khz") {
          const long long khz = std::stoll(value);
          if ((p.hw_min_khz && khz < *p.hw_min_khz) || (p.hw_max_khz && khz > *p.hw_max_khz)) {
            throw Error(fmt::format("--cpu-max-freq-khz {} is outside {}'s range {}-{} kHz", value, p.name,
                                    p.hw_min_khz.value_or(0), p.hw_max_khz.value_or(0)));
          }
          if (p.min_khz && khz < *p.min_khz) {
            throw Error(fmt::format("--cpu-max-freq-khz {} is below {}'s minimum {} kHz (scaling_min_freq)", value,
                                    p.name, *p.min_khz));
          }
          actions.push_back({knob, "file", p.path + "/scaling_max_freq", value, p.name, 0});
        } else {
          if (!p.governors.empty() && std::find(p.governors.begin(), p.governors.end(), value) == p.governors.end()) {
            throw Error(fmt::format("--cpu-governor {} is not offered by {} (it offers {})", value, p.name,
                                    join(p.governors, ", ")));
          }
          actions.push_back({knob, "file", p.path + "/scaling_governor", value, p.name, 0});
        }
      }
    } else if (knob == "gpu_power_limit_w" || knob == "gpu_locked_clocks_mhz") {
      if (state.gpus.empty()) throw Error("cannot set " + knob + ": no NVIDIA GPU (" + state.gpu_missing + ")");
      for (const auto& g : state.gpus) {
        if (knob == "gpu_power_limit_w") {
          const double w = std::stod(value);
          if ((g.min_power_limit_w && w < *g.min_power_limit_w) || (g.max_power_limit_w && w > *g.max_power_limit_w)) {
            throw Error(fmt::format("--gpu-power-limit-w {} is outside GPU {}'s range {:.0f}-{:.0f} W", value, g.index,
                                    g.min_power_limit_w.value_or(0), g.max_power_limit_w.value_or(0)));
          }
          actions.push_back({knob, "gpu_power_limit", "", std::to_string(static_cast<unsigned>(w * 1000)),
                             "GPU " + std::to_string(g.index), g.index});
        } else {
          actions.push_back({knob, "gpu_locked_clocks", "", value, "GPU " + std::to_string(g.index), g.index});
        }
      }
    } else if (knob == "nvpmodel") {
      if (!state.jetson.nvpmodel_present) throw Error("cannot set nvpmodel: no nvpmodel on PATH (not a Jetson)");
      actions.push_back({knob, "nvpmodel", "", value, "nvpmodel", 0});
    } else {
      throw Error("unknown platform knob '" + knob + "'");
    }
  }
  return actions;
}

// The current value an action replaces, as the journal stores it.
std::string current_value(const Action& a, const PlatformState& state) {
  if (a.kind == "file") return trim(read_file(a.path).value_or(""));
  if (a.kind == "gpu_power_limit") {
    for (const auto& g : state.gpus) {
      if (g.index == a.gpu && g.power_limit_w) return std::to_string(static_cast<unsigned>(*g.power_limit_w * 1000 + 0.5));
    }
    throw Error(fmt::format("cannot read GPU {}'s power limit, so it could not be restored: not changing it", a.gpu));
  }
  if (a.kind == "gpu_locked_clocks") return "reset";
  if (a.kind == "nvpmodel") {
    if (!state.jetson.nvpmodel_id) throw Error("cannot read the nvpmodel mode, so it could not be restored: not changing it");
    return std::to_string(*state.jetson.nvpmodel_id);
  }
  return "";
}

bool uses_gpu(const std::string& setting) {
  return setting.find("gpu_") != std::string::npos;
}

}  // namespace

PlatformController::PlatformController(std::string sysfs_root, std::string journal_path)
    : root_(std::move(sysfs_root)), journal_(std::move(journal_path)) {
  const auto existing = read_journal(journal_);
  if (!existing.is_null()) {
    const long pid = existing.value("pid", 0L);
    if (process_alive(pid) && pid != static_cast<long>(::getpid())) {
      throw Error(fmt::format("another edgejoule (pid {}) is changing platform settings (journal '{}'): wait for it "
                              "to finish",
                              pid, journal_));
    }
    for (const auto& line : restore_platform_from_journal(journal_)) std::fprintf(stderr, "restored %s\n", line.c_str());
  }
}

PlatformController::~PlatformController() {
  if (!holds_journal_) return;
  try {
    std::string error;
    for (const auto& line : restore_platform_from_journal(journal_, &error)) {
      std::fprintf(stderr, "platform restored: %s\n", line.c_str());
    }
    if (!error.empty()) std::fprintf(stderr, "edgejoule: %s\n", error.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgejoule: could not restore the platform settings (%s); the journal '%s' keeps them "
                 "and the next edgejoule run restores them\n", e.what(), journal_.c_str());
  }
}

void PlatformController::check(const std::string& setting) const {
  const PlatformState state = read_platform_state(root_, uses_gpu(setting));
  for (const auto& a : actions_for(setting, state)) {
    if (a.kind == "file" && ::access(a.path.c_str(), W_OK) != 0) {
      throw Error(fmt::format("cannot change {} ({} is not writable: {}): changing platform settings needs root, "
                              "on a device you own",
                              a.knob, a.path, std::strerror(errno)));
    }
    (void)current_value(a, state);  // readable, so restorable
  }
}

std::vector<std::string> PlatformController::plan(const std::string& setting) const {
  const PlatformState state = read_platform_state(root_, uses_gpu(setting));
  std::vector<std::string> lines;
  for (const auto& a : actions_for(setting, state)) {
    std::string now;
    try {
      now = current_value(a, state);
    } catch (const Error&) {
      now = "unknown";
    }
    lines.push_back(fmt::format("{} ({}): {} -> {}", a.knob, a.where, now, a.target));
  }
  return lines;
}

void PlatformController::apply(const std::string& setting) {
  restore();  // every setting starts from the state found at start
  if (setting.empty()) return;
  const PlatformState state = read_platform_state(root_, uses_gpu(setting));
  const auto actions = actions_for(setting, state);
  nlohmann::json journal = {{"pid", static_cast<long>(::getpid())}, {"root", root_}, {"setting", setting},
                            {"changes", nlohmann::json::array()}};
  for (const auto& a : actions) {
    nlohmann::json change = {{"knob", a.knob}, {"kind", a.kind}, {"previous", current_value(a, state)}};
    if (a.kind == "file") change["path"] = a.path;
    if (a.kind == "gpu_power_limit" || a.kind == "gpu_locked_clocks") change["gpu"] = a.gpu;
    journal["changes"].push_back(change);
    write_journal(journal_, journal);  // first the journal, then the change
    holds_journal_ = true;
    try {
      if (a.kind == "file") {
        write_text(a.path, a.target);
      } else if (a.kind == "gpu_power_limit") {
        set_gpu_power_limit_mw(a.gpu, static_cast<unsigned>(std::stoul(a.target)));
      } else if (a.kind == "gpu_locked_clocks") {
        set_gpu_locked_clocks(a.gpu, static_cast<unsigned>(std::stoul(a.target)));
      } else if (a.kind == "nvpmodel") {
        set_nvpmodel(a.target);
      }
    } catch (const Error&) {
      // Not made, so not to be undone (undoing it may need the same privilege that was missing).
      journal["changes"].erase(journal["changes"].size() - 1);
      write_journal(journal_, journal);
      throw;  // the destructor restores the changes made before this one
    }
  }
}

std::vector<std::string> PlatformController::restore() {
  if (!holds_journal_) return {};
  auto lines = restore_platform_from_journal(journal_);
  holds_journal_ = false;
  return lines;
}

std::vector<std::string> restore_platform_from_journal(const std::string& journal_path, std::string* error) {
  const auto journal = read_journal(journal_path);
  if (journal.is_null()) return {};
  const long pid = journal.value("pid", 0L);
  if (pid != static_cast<long>(::getpid()) && process_alive(pid)) return {};  // its owner will restore it
  std::vector<std::string> lines;
  try {
    // Newest first, each on its own: one that cannot be restored does not keep the others
    // from being restored; it stays in the journal for the next run, and the error says which.
    const auto& changes = journal.at("changes");
    nlohmann::json left = nlohmann::json::array();
    std::string first_error;
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
      try {
        lines.push_back(revert(*it));
      } catch (const Error& e) {
        left.insert(left.begin(), *it);
        if (first_error.empty()) first_error = e.what();
      }
    }
    if (!left.empty()) {
      nlohmann::json rest = journal;
      rest["changes"] = left;
      write_journal(journal_path, rest);
      const std::string message =
          fmt::format("{} of {} platform change(s) could not be restored ({}); the journal '{}' keeps them for "
                      "the next run",
                      left.size(), changes.size(), first_error, journal_path);
      if (!error) throw Error(message);
      *error = message;
      return lines;
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("the platform journal '" + journal_path + "' is malformed (" + e.what() +
                "): check the platform settings by hand ('edgejoule platform'), then delete it");
  } catch (const std::logic_error& e) {  // std::stoul on a value that is not a number
    throw Error("the platform journal '" + journal_path + "' holds a value that is not a number (" + e.what() +
                "): check the platform settings by hand ('edgejoule platform'), then delete it");
  }
  fs::remove(journal_path);
  return lines;
}

}  // namespace edgejoule
