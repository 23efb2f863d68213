#include <CLI/CLI.hpp>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/strings.h"
#include "engines/registry.h"

namespace edgejoule {

CommandRun add_engines_command(CLI::App& app, const GlobalOptions&) {
  struct Flags {
    bool json = false;
    bool names = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("engines", "Show the engines built in: version, the model files they load, devices, "
                                            "precisions and backends on this machine");
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  cmd->add_flag("--names", flags->names,
                "Print only the built-in engines' names, comma-separated (for --engine in scripts)");
  return [flags] {
    if (flags->names) {
      std::cout << join(available_engines(), ",") << '\n';
      return 0;
    }
    const auto engines = describe_engines();
    if (flags->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : engines) {
        out.push_back({{"name", e.name}, {"version", e.version}, {"model_format", e.model_format},
                       {"devices", e.devices}, {"precisions", e.precisions}, {"backends", e.backends},
                       {"knobs", e.knobs}, {"built_in", true}});
      }
      for (const auto& d : engine_registry()) {
        if (!d.built_in()) out.push_back({{"name", d.name}, {"built_in", false}, {"why", d.build_hint}});
      }
      std::cout << out.dump(2) << '\n';
      return 0;
    }
    if (engines.empty()) std::cout << "no engine is built in: reconfigure with -DEDGEJOULE_WITH_TORCH=ON or -DEDGEJOULE_WITH_OPENCV=ON\n";
    for (const auto& e : engines) {
      std::cout << fmt::format("{} ({})\n  loads       {}\n  devices     {}\n  precisions  {}\n", e.name, e.version,
                               e.model_format, join(e.devices, ", "), join(e.precisions, ", "));
      if (!e.backends.empty()) std::cout << "  backends    " << join(e.backends, ", ") << '\n';
      if (!e.knobs.empty()) std::cout << "  knobs       " << join(e.knobs, ", ") << '\n';
    }
    for (const auto& d : engine_registry()) {
      if (!d.built_in()) std::cout << d.name << " (" << d.library << "): not built in: " << d.build_hint << '\n';
    }
    std::cout << "\nother combinations are stored as UNSUPPORTED with the reason; see docs/engines.md\n";
    return 0;
  };
}

}  // namespace edgejoule
