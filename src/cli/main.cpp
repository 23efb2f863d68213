// edgejoule: which model, in which configuration, to run on an energy-constrained device.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "common/error.h"
#include "platform/knobs.h"

int main(int argc, char** argv) {
  using namespace edgejoule;
  CLI::App app{
      "edgejoule: measures the accuracy / latency / energy trade-off of deep-learning models on "
      "this device and recommends the model and configuration to run.",
      "edgejoule"};
  app.set_version_flag("--version", std::string("edgejoule ") + EDGEJOULE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  app.add_option("--sysfs-root", global.sysfs_root,
                 "Root under which /proc, /sys and /etc are read (tests and odd systems)")
      ->default_val("/");

  std::map<std::string, CommandRun> commands;
  commands["profile"] = add_profile_command(app, global);
  commands["list"] = add_list_command(app, global);
  commands["zoo"] = add_zoo_command(app, global);
  commands["meters"] = add_meters_command(app, global);
  commands["recommend"] = add_recommend_command(app, global);
  commands["frontier"] = add_frontier_command(app, global);
  commands["evaluate"] = add_evaluate_command(app, global);
  commands["predict"] = add_predict_command(app, global);
  commands["report"] = add_report_command(app, global);
  commands["export"] = add_export_command(app, global);
  commands["platform"] = add_platform_command(app, global);
  commands["engines"] = add_engines_command(app, global);
  commands["worker"] = add_worker_command(app, global);
  commands["queue"] = add_queue_command(app, global);
  commands["merge"] = add_merge_command(app, global);
  commands["run"] = add_run_command(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (!app.get_subcommands().empty() || argc < 2) {
      // keep CLI11's message
    } else {
      // "A subcommand is required" hides the usual cause: a misspelt command.
      for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--sysfs-root") {
          ++i;
          continue;
        }
        if (!arg.empty() && arg[0] != '-' && commands.count(arg) == 0) {
          message = "unknown command '" + arg + "': choose one of";
          for (const auto& [name, run] : commands) message += " " + name;
          break;
        }
      }
    }
    if (message.empty()) message = "invalid command line";
    std::fprintf(stderr, "edgejoule: %s; see 'edgejoule --help'\n", message.c_str());
    return exit_code::kBadInput;
  }

  try {
    // A run killed while it had changed platform settings (SIGKILL, power loss) left a journal:
    // put the platform back before anything else, and say so.
    const std::string journal = platform_journal_path();
    std::string not_restored;
    if (const auto restored = restore_platform_from_journal(journal, &not_restored); !restored.empty()) {
      std::fprintf(stderr, "edgejoule: restored the platform settings a killed run left changed (journal %s):\n",
                   journal.c_str());
      for (const auto& line : restored) std::fprintf(stderr, "  %s\n", line.c_str());
    }
    if (!not_restored.empty()) std::fprintf(stderr, "edgejoule: warning: %s\n", not_restored.c_str());
    for (auto* sub : app.get_subcommands()) return commands.at(sub->get_name())();
    return exit_code::kBadInput;
  } catch (const Error& e) {
    std::fprintf(stderr, "edgejoule: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgejoule: unexpected error: %s\n", e.what());
    return exit_code::kFailure;
  }
}
