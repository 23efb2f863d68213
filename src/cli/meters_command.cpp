#include <CLI/CLI.hpp>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "meters/meter.h"

namespace edgejoule {

CommandRun add_meters_command(CLI::App& app, const GlobalOptions& global) {
  struct Flags {
    bool json = false;
    double probe_s = 3.0;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "meters",
      "List the energy sources on this machine: what each covers, its update period measured now, "
      "and why any known source is unavailable");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  cmd->add_option("--probe-s", flags->probe_s, "Longest time to watch each source for updates")
      ->default_val(3.0);
  return [flags, &global] {
    const auto sources = list_meter_sources(global.sysfs_root);
    nlohmann::json out = nlohmann::json::array();
    std::string auto_choice;
    try {
      auto_choice = make_meter("auto", global.sysfs_root, "cpu")->info().name;
    } catch (const Error& e) {
      auto_choice = std::string("none (") + e.what() + ")";
    }
    for (const auto& s : sources) {
      double period_s = 0;
      std::string provenance;
      if (s.available) {
        try {
          auto meter = make_meter(s.spec, global.sysfs_root, "cpu");
          meter->start();
          period_s = measure_update_period_s(*meter, 5, flags->probe_s);
          provenance = meter->info().provenance;
          meter->stop();
        } catch (const Error& e) {
          provenance = std::string("error: ") + e.what();
        }
      }
      out.push_back({{"name", s.name},
                     {"available", s.available},
                     {"covers", s.covers},
                     {"meter_flag", s.spec},
                     {"provenance", provenance},
                     {"update_period_s", period_s > 0 ? nlohmann::json(period_s) : nlohmann::json()},
                     {"why_unavailable", s.why_unavailable}});
    }
    if (flags->json) {
      std::cout << nlohmann::json{{"sources", out}, {"auto_cpu", auto_choice}}.dump(2) << '\n';
      return 0;
    }
    for (const auto& s : out) {
      const bool ok = s["available"].get<bool>();
      std::cout << fmt::format("{:<24} {}\n", s["name"].get<std::string>(), ok ? "available" : "unavailable");
      std::cout << fmt::format("  covers: {}\n", s["covers"].get<std::string>());
      if (ok) {
        std::cout << fmt::format("  use: --meter {}   provenance: {}\n", s["meter_flag"].get<std::string>(),
                                 s["provenance"].get<std::string>());
        std::cout << (s["update_period_s"].is_null()
                          ? std::string("  update period: no change seen while watching\n")
                          : fmt::format("  update period: {:.1f} ms (measured now)\n",
                                        s["update_period_s"].get<double>() * 1e3));
      } else {
        std::cout << fmt::format("  why: {}\n", s["why_unavailable"].get<std::string>());
      }
    }
    std::cout << fmt::format("--meter auto on the CPU uses: {}\n", auto_choice);
    return 0;
  };
}

}  // namespace edgejoule
