// edgejoule worker: one device's share of a sweep planned with 'profile --queue NAME --enqueue'
// (profiler/fleet_worker.h), and edgejoule queue status: how far each queue has got.
#include <CLI/CLI.hpp>

#include <optional>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "data/dataset.h"
#include "engines/registry.h"
#include "platform/host.h"
#include "profiler/fleet_worker.h"
#include "profiler/listeners.h"
#include "store/fleet.h"

namespace edgejoule {

CommandRun add_worker_command(CLI::App& app, const GlobalOptions& global) {
  struct Flags {
    std::string db, queue, zoo, device_class, name, meter = "auto", dataset;
    double lease_s = 60, poll_s = 2;
    std::optional<double> give_up_s;
    int max_attempts = 3;
    bool follow = false, quiet = false, print_class = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "worker",
      "Measure this device's share of a sweep planned into the fleet store with 'profile --queue NAME --enqueue': "
      "claim one point at a time (under a lease renewed while it runs), measure it, store it and mark it done; "
      "exit 0 when nothing is left for this device class");
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--db", flags->db, "The fleet store: postgresql://USER@HOST:PORT/DB (password from PGPASSWORD "
                                     "or ~/.pgpass)");
  cmd->add_option("--queue", flags->queue, "The queue to take points from");
  cmd->add_option("--zoo", flags->zoo, "This device's copy of the zoo the sweep was planned on (a point whose "
                                       "file differs in content is refused)");
  cmd->add_flag("--print-device-class", flags->print_class,
                "Print this device's class (what 'profile --enqueue --device-class' takes) and exit");
  cmd->add_option("--device-class", flags->device_class,
                  "The class of points to take (default: this device's: CPU model, CPUs, memory[, GPU])");
  cmd->add_option("--name", flags->name, "This worker's name in 'queue status' (default: HOST:PID)");
  cmd->add_option("--lease-s", flags->lease_s,
                  "Seconds a claim lasts without a heartbeat (renewed every third of it); a worker killed or "
                  "unplugged loses its point to the next worker after this")
      ->default_val(60.0)->check(CLI::Range(0.2, 86400.0));
  cmd->add_option("--max-attempts", flags->max_attempts,
                  "Claims of one point before it is marked failed (each failure or expired lease is one)")
      ->default_val(3)->check(CLI::Range(1, 100));
  cmd->add_flag("--follow", flags->follow,
                "Keep waiting for new points instead of exiting when none is left (and never give up on an "
                "unreachable store)");
  cmd->add_option("--give-up-s", flags->give_up_s,
                  "While the fleet store is unreachable (a restart, a lost network), keep the point in hand and "
                  "reconnect; exit (status 1) only after this many seconds without it (default: 3 leases)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--poll-s", flags->poll_s, "Seconds between looks at the queue while waiting")
      ->default_val(2.0)->check(CLI::Range(0.05, 3600.0));
  cmd->add_option("--meter", flags->meter, "Energy source, as for profile (default auto: this device's sensor)")
      ->default_str("auto");
  cmd->add_option("--dataset", flags->dataset, "Measure accuracy on a labelled set on this device, as for profile");
  cmd->add_flag("--quiet", flags->quiet, "No progress output");
  return [flags, &global] {
    if (flags->print_class) {
      std::printf("%s\n", probe_host(global.sysfs_root).device_class().c_str());
      return exit_code::kOk;
    }
    if (flags->db.empty() || flags->queue.empty() || flags->zoo.empty()) {
      throw Error("worker needs --db (the fleet store), --queue (the queue's name) and --zoo (this device's copy "
                  "of the zoo); see 'edgejoule worker --help'");
    }
    auto queue = open_fleet_queue(flags->db);
    std::unique_ptr<Dataset> dataset;
    if (!flags->dataset.empty()) dataset = make_dataset(flags->dataset);
    const HostInfo host = probe_host_for(global, false);
    WorkerSettings settings;
    settings.queue = flags->queue;
    settings.device_class = flags->device_class.empty() ? host.device_class() : flags->device_class;
    settings.worker = flags->name.empty() ? host.hostname + ":" + std::to_string(getpid()) : flags->name;
    settings.zoo_dir = flags->zoo;
    settings.meter = flags->meter;
    settings.sysfs_root = global.sysfs_root;
    settings.lease_s = flags->lease_s;
    settings.give_up_s = flags->give_up_s ? *flags->give_up_s : 3 * flags->lease_s;
    settings.max_attempts = flags->max_attempts;
    settings.follow = flags->follow;
    settings.poll_s = flags->poll_s;
    settings.quiet = flags->quiet;
    settings.dataset = dataset.get();
    settings.engine_factory = [](const std::string& name) { return make_engine(name); };
    const std::string db = flags->db;
    settings.open_heartbeat = [db] { return open_fleet_queue(db); };
    settings.stop = &install_stop_handlers();
    if (!flags->quiet) {
      std::fprintf(stderr, "worker %s: queue '%s' of %s, device class '%s'\n", settings.worker.c_str(),
                   settings.queue.c_str(), queue->store().location().c_str(), settings.device_class.c_str());
    }
    auto progress = make_progress_listener(stderr_is_terminal(), flags->quiet);
    const WorkerOutcome out = run_worker(*queue, host, settings, *progress);
    std::fprintf(stderr, "worker %s: %zu done, %zu failed, %zu refused, %zu lost to another worker\n",
                 settings.worker.c_str(), out.done, out.failed, out.refused, out.lost);
    if (out.interrupted) return exit_code::kInterrupted;
    if (out.refused) {
      throw Error(fmt::format("{} point(s) refused: this device lacks their model files with the queued content; "
                              "the first: {}",
                              out.refused, out.messages.front()));
    }
    if (out.failed) {
      throw Error(fmt::format("{} point(s) could not be measured here (see 'edgejoule queue status'); the first: {}",
                              out.failed, out.messages.front()),
                  exit_code::kFailure);
    }
    return exit_code::kOk;
  };
}

CommandRun add_queue_command(CLI::App& app, const GlobalOptions&) {
  struct Flags {
    std::string db, queue;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("queue", "The fleet store's queues of shared sweeps");
  cmd->require_subcommand(1);
  auto* status = cmd->add_subcommand(
      "status", "Points done, claimed, pending and failed per queue, device class and worker ('expired': "
                "claimed by a worker whose lease ran out; the next worker takes it)");
  status->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  status->add_option("--db", flags->db, "The fleet store: postgresql://USER@HOST:PORT/DB")->required();
  status->add_option("--queue", flags->queue, "Only this queue");
  status->add_flag("--json", flags->json, "Print JSON on stdout");
  return [flags] {
    const auto counts = open_fleet_queue(flags->db)->status(flags->queue);
    if (flags->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& c : counts) {
        out.push_back({{"queue", c.queue}, {"device_class", c.device_class}, {"worker", c.worker},
                       {"status", c.status}, {"points", c.points}, {"last_error", c.last_error},
                       {"outage_losses", c.outage_losses}});
      }
      std::cout << out.dump(2) << "\n";
      return exit_code::kOk;
    }
    if (counts.empty()) {
      std::printf("no queued points%s\n", flags->queue.empty() ? "" : (" in queue '" + flags->queue + "'").c_str());
      return exit_code::kOk;
    }
    // Per queue and device class: the totals, then one line per worker and state.
    std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>> totals;
    for (const auto& c : counts) {
      totals[{c.queue, c.device_class}][c.status] += c.points;
      totals[{c.queue, c.device_class}]["outage_losses"] += c.outage_losses;
    }
    for (const auto& [key, by_status] : totals) {
      auto n = [&](const char* s) { return by_status.count(s) ? by_status.at(s) : 0; };
      std::printf("queue '%s', device class '%s': %lld done, %lld claimed, %lld expired, %lld pending, %lld failed; "
                  "%lld claim(s) lost to outages (not counted as attempts)\n",
                  key.first.c_str(), key.second.c_str(), static_cast<long long>(n("done")),
                  static_cast<long long>(n("claimed")), static_cast<long long>(n("expired")),
                  static_cast<long long>(n("pending")), static_cast<long long>(n("failed")),
                  static_cast<long long>(n("outage_losses")));
      for (const auto& c : counts) {
        if (c.queue != key.first || c.device_class != key.second || c.status == "pending") continue;
        std::printf("  %-8s %6lld  %s%s\n", c.status.c_str(), static_cast<long long>(c.points), c.worker.c_str(),
                    c.last_error.empty() ? "" : ("  last error: " + c.last_error).c_str());
      }
    }
    return exit_code::kOk;
  };
}

}  // namespace edgejoule
