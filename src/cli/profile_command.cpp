// edgejoule profile: flags, their validation and wiring. The run sequence (meters, planning,
// resume, accuracy, storing) is profiler/session.h.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "orchestrate/frontier_sweep.h"
#include "cli/profile_options.h"
#include "common/error.h"
#include "common/strings.h"
#include "engines/registry.h"
#include "platform/host.h"
#include "platform/knobs.h"
#include "platform/power.h"
#include "profiler/fleet_worker.h"
#include "profiler/session.h"
#include "store/fleet.h"
#include "report/writers.h"
#include "zoo/engine_check.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

// Platform power knobs: refused without --allow-platform-changes, checked (values, privileges)
// before anything is measured. Makes the controller in `platform` (none without knobs); false
// after a --dry-run printed what would change.
bool platform_control(const ProfileFlags& flags, SweepLists& lists, const GlobalOptions& global,
                      std::optional<PlatformController>& platform) {
  PlatformKnobLists knobs;
  for (const auto& f : platform_knob_flags()) {
    if (const auto& text = flags.platform.at(f.flag); !text.empty()) knobs.*f.list = parse_name_list(text, f.flag);
  }
  lists.platforms = platform_settings(knobs);
  if (!knobs.any()) {
    if (flags.dry_run) {
      std::vector<std::string> all;
      for (const auto& f : platform_knob_flags()) all.emplace_back(f.flag);
      const std::string last = all.back();
      all.pop_back();
      throw Error("--dry-run shows the platform changes of " + join(all, ", ") + " or " + last + "; none was given");
    }
    return true;
  }
  if (!flags.allow_platform_changes && !flags.dry_run) {
    throw Error(join(knobs.flags_given(), ", ") +
                " would change this machine's power settings: pass --allow-platform-changes (only on a device "
                "you own, never on a shared machine), or --dry-run to see what would change");
  }
  platform.emplace(global.sysfs_root, platform_journal_path());
  if (flags.dry_run) {
    for (const auto& setting : lists.platforms) {
      std::printf("platform setting %s:\n", setting.c_str());
      for (const auto& line : platform->plan(setting)) std::printf("  would set %s\n", line.c_str());
    }
    std::printf("dry run: nothing was changed or measured\n");
    return false;
  }
  for (const auto& setting : lists.platforms) platform->check(setting);
  return true;
}

// profile --queue NAME --enqueue: plans the sweep into the fleet store's queue for one device
// class, measuring nothing; each device of the class then runs 'edgejoule worker'.
int run_enqueue(const ProfileFlags& flags, const GlobalOptions& global, const SweepLists& lists) {
  if (flags.queue.empty() || !flags.enqueue) {
    throw Error(flags.enqueue ? "--enqueue needs --queue NAME: the queue the workers take the points from"
                              : "--queue plans the sweep for workers and needs --enqueue (profile measures nothing "
                                "then); run 'edgejoule worker --queue " + flags.queue + "' on each device");
  }
  if (lists.platforms.size() > 1 || !lists.platforms.front().empty()) {
    throw Error("platform knobs are not queued: a worker does not change its device's power settings; profile "
                "them on the device itself");
  }
  if (!flags.dataset.empty()) {
    throw Error("--dataset is the workers' flag with --queue (the dataset lives on each device): pass it to "
                "'edgejoule worker'");
  }
  auto queue = open_fleet_queue(flags.db);
  const auto models = load_requested_models(flags);
  const std::string device_class =
      flags.device_class.empty() ? probe_host_for(global, false).device_class() : flags.device_class;
  std::vector<QueueEntry> entries;
  for (const auto& item : plan_sweep(models, lists, DeviceMeters())) {
    entries.push_back(queue_entry(item, flags.protocol, flags.input_shape));
  }
  int64_t requeued = 0;
  const int64_t added = queue->enqueue(flags.queue, device_class, entries, flags.retry_invalid, &requeued);
  std::printf("queued %lld new point(s) of %zu for device class '%s' in queue '%s' of %s\n",
              static_cast<long long>(added), entries.size(), device_class.c_str(), flags.queue.c_str(),
              queue->store().location().c_str());
  if (flags.retry_invalid) {
    std::printf("queued again %lld point(s) that came out INVALID\n", static_cast<long long>(requeued));
  }
  std::printf("next, on each device of that class: edgejoule worker --db '%s' --queue '%s' --zoo DIR%s\n",
              queue->store().location().c_str(), flags.queue.c_str(),
              flags.device_class.empty() ? "" : (" --device-class '" + device_class + "'").c_str());
  return exit_code::kOk;
}

int run_profile(ProfileFlags& flags, const GlobalOptions& global) {
  // 1. Every flag checked before anything is touched; the platform knobs and the fleet queue
  //    are the CLI's own.
  flags.sysfs_root = global.sysfs_root;
  SweepLists lists = validate(static_cast<const ProfileRequest&>(flags));
  std::optional<PlatformController> platform;
  if (!platform_control(flags, lists, global, platform)) return exit_code::kOk;  // --dry-run
  if (flags.strategy == "frontier" && (flags.enqueue || !flags.queue.empty())) {
    throw Error("--strategy frontier decides as points arrive on this machine; a fleet queue sweeps the grid "
                "(leave out --strategy, or --queue)");
  }
  if (flags.enqueue || !flags.queue.empty()) return run_enqueue(flags, global, lists);
  if (flags.check_outputs) {
    const auto models = load_requested_models(flags);
    write_output_checks(std::cerr, check_model_outputs(models, lists.engines, lists.precisions, lists.devices.front()));
  }

  // 2. The sweep (orchestrate/profile_run.h), with the platform put in each point's setting.
  ProfileHooks hooks;
  // A frontier sweep's rounds each say what they measure and why; a "profiling N point(s)" line
  // per round would only repeat the round's size.
  auto progress = make_progress_listener(stderr_is_terminal(), flags.quiet, flags.strategy != "frontier");
  hooks.listener = progress.get();
  hooks.stop = &install_stop_handlers();
  hooks.log = flags.quiet ? nullptr : stderr;
  hooks.platforms = lists.platforms;
  std::string applied_setting;
  hooks.platform_for = [&](const SweepItem& item) {
    if (platform && item.config.platform != applied_setting) {
      if (!flags.quiet) std::fprintf(stderr, "platform: %s\n", item.config.platform.c_str());
      platform->apply(item.config.platform);
      applied_setting = item.config.platform;
    }
    return read_platform_state(global.sysfs_root, point_uses_gpu(item.config.device, item.config.platform)).to_json();
  };
  const ProfileResult result = run_profile(flags, hooks);
  if (result.frontier) write_skipped(stderr, *result.frontier);
  const SweepOutcome& outcome = result.outcome;

  // 3. Every point of this sweep as stored (measured now or earlier).
  if (flags.json) {
    write_json(std::cout, result.rows);
  } else if (!result.rows.empty()) {
    write_table(std::cout, result.rows);
    write_engine_comparison(std::cout, compare_engines_per_model(result.rows));
  }
  std::fprintf(stderr, "%zu measured, %zu unsupported, %zu skipped, %zu failed; store: %s\n", outcome.measured,
               outcome.unsupported, outcome.skipped, outcome.failures.size(), result.store_location.c_str());
  if (outcome.interrupted) return exit_code::kInterrupted;
  if (!outcome.failures.empty()) {
    throw Error(fmt::format("{} point(s) could not be measured; the first: {}", outcome.failures.size(),
                            outcome.failures.front()));
  }
  return exit_code::kOk;
}

}  // namespace

CommandRun add_profile_command(CLI::App& app, const GlobalOptions& global) {
  auto flags = std::make_shared<ProfileFlags>();
  auto* cmd = app.add_subcommand(
      "profile",
      "Measure latency of models over every combination of the list-valued flags and store it. "
      "Points already stored for this host are skipped, so an interrupted sweep resumes.");
  add_profile_options(*cmd, *flags);
  return [flags, &global] { return run_profile(*flags, global); };
}

}  // namespace edgejoule
