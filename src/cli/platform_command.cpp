#include <CLI/CLI.hpp>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "platform/knobs.h"
#include "platform/power.h"

namespace edgejoule {

CommandRun add_platform_command(CLI::App& app, const GlobalOptions& global) {
  struct Flags {
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "platform",
      "Show the platform's power state (CPU governor and frequencies, GPU power limit and clocks, Jetson power "
      "mode) and which power knobs this machine offers to 'profile', and why not");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags, &global] {
    const PlatformState state = read_platform_state(global.sysfs_root, /*with_gpu=*/true);
    const auto knobs = platform_knobs(state);
    if (flags->json) {
      auto out = nlohmann::json::parse(state.to_json());
      out["knobs"] = nlohmann::json::array();
      for (const auto& k : knobs) {
        out["knobs"].push_back({{"knob", k.knob}, {"flag", k.flag}, {"available", k.available},
                                {"values", k.values}, {"why_not", k.why_not}});
      }
      out["journal"] = platform_journal_path();
      std::cout << out.dump(2) << '\n';
      return 0;
    }
    std::cout << "CPU frequency (cpufreq):\n";
    if (state.cpufreq.empty()) std::cout << "  none: " << state.cpufreq_missing << '\n';
    for (const auto& p : state.cpufreq) {
      auto khz = [](const std::optional<long long>& v) { return v ? std::to_string(*v) : std::string("?"); };
      std::cout << fmt::format("  {} (cpus {}): governor {}, {}-{} kHz now {} kHz (hardware {}-{} kHz)\n", p.name,
                               p.cpus, p.governor.empty() ? "?" : p.governor, khz(p.min_khz), khz(p.max_khz),
                               khz(p.cur_khz), khz(p.hw_min_khz), khz(p.hw_max_khz));
    }
    std::cout << "GPU (NVML):\n";
    if (state.gpus.empty()) std::cout << "  none: " << state.gpu_missing << '\n';
    for (const auto& g : state.gpus) {
      std::cout << fmt::format("  GPU {} {}: power limit {} W (default {} W), SM {} MHz, memory {} MHz, P{}\n", g.index,
                               g.name, g.power_limit_w ? fmt::format("{:.0f}", *g.power_limit_w) : "?",
                               g.default_power_limit_w ? fmt::format("{:.0f}", *g.default_power_limit_w) : "?",
                               g.sm_clock_mhz ? std::to_string(*g.sm_clock_mhz) : "?",
                               g.memory_clock_mhz ? std::to_string(*g.memory_clock_mhz) : "?",
                               g.performance_state ? std::to_string(*g.performance_state) : "?");
    }
    std::cout << "Jetson:\n";
    if (!state.jetson.nvpmodel_present) {
      std::cout << "  none: no nvpmodel on PATH\n";
    } else {
      std::cout << fmt::format("  nvpmodel mode {} ({}), jetson_clocks {}\n", state.jetson.nvpmodel_mode,
                               state.jetson.nvpmodel_id ? std::to_string(*state.jetson.nvpmodel_id) : "?",
                               !state.jetson.jetson_clocks ? "unknown"
                               : *state.jetson.jetson_clocks ? "on (inferred: CPUs pinned at maximum)"
                                                             : "off (inferred)");
    }
    int available = 0;
    std::cout << "\nknobs for 'profile --allow-platform-changes' (only on a device you own):\n";
    for (const auto& k : knobs) {
      available += k.available;
      std::cout << fmt::format("  {:<24} {}\n", k.flag,
                               k.available ? "available: " + k.values : "not available: " + k.why_not);
    }
    if (available == 0) std::cout << "no platform knob is available on this machine (reasons above)\n";
    return 0;
  };
}

}  // namespace edgejoule
