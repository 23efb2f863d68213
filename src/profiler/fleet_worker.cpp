#include "profiler/fleet_worker.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "profiler/session.h"
#include "zoo/manifest.h"

namespace edgejoule {

QueueEntry queue_entry(const SweepItem& item, const ProtocolSettings& protocol, const std::string& input_shape) {
  const Configuration& c = item.config;
  nlohmann::json spec = {
      {"engine", c.engine}, {"device", c.device}, {"precision", c.precision}, {"batch", c.batch},
      {"threads", c.threads}, {"knobs", c.knobs}, {"input_shape", input_shape},
      {"protocol", protocol},
  };
  return {item.model.name, item.model.content_sha256, c.key(), spec.dump()};
}

namespace {

struct Spec {
  SweepLists lists;
  ProtocolSettings protocol;
  std::vector<int64_t> override_shape;
};

Spec parse_spec(const std::string& text) {
  Spec s;
  try {
    const auto j = nlohmann::json::parse(text);
    s.lists.engines = {j.at("engine").get<std::string>()};
    s.lists.devices = {j.at("device").get<std::string>()};
    s.lists.precisions = {j.at("precision").get<std::string>()};
    s.lists.batches = {j.at("batch").get<int>()};
    s.lists.threads = {j.at("threads").get<int>()};
    for (const auto& [name, value] : j.at("knobs").items()) s.lists.knobs[name] = {value.get<std::string>()};
    s.protocol = j.at("protocol").get<ProtocolSettings>();
    const std::string shape = j.value("input_shape", "");
    if (!shape.empty()) s.override_shape = parse_shape(shape, "the queued input shape");
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("a queued point's settings are not readable by this edgejoule (") + e.what() +
                "): enqueue it again with this version");
  }
  return s;
}

// The session's store for one claimed point: saving it completes the claim (point and 'done' in
// one transaction), and only while the claim is still this worker's.
class ClaimStore final : public Store {
 public:
  ClaimStore(FleetQueue& queue, const QueueItem& item) : queue_(queue), item_(item) {}
  std::optional<StoredPoint> stored_point(const std::string& sha, const std::string& key,
                                          const std::string& host) override {
    return queue_.store().stored_point(sha, key, host);
  }
  bool save_point(const PointRecord& record, const HostInfo& host, bool replace) override {
    if (queue_.complete(item_, &record, host, record.config.key(), replace)) {
      completed = true;
    } else {
      lost = true;
    }
    return true;  // the session's "stored meanwhile" message does not apply; the worker says what happened
  }
  std::vector<ResultRow> rows(const RowFilter& filter) override { return queue_.store().rows(filter); }
  int64_t save_evaluation(const StoredEvaluation& e) override { return queue_.store().save_evaluation(e); }
  int64_t save_run(const StoredRun& r) override { return queue_.store().save_run(r); }
  std::vector<StoredRun> runs() override { return queue_.store().runs(); }
  void save_predictions(const std::vector<PredictionRecord>& p, const HostInfo& host) override {
    queue_.store().save_predictions(p, host);
  }
  std::vector<StoredPrediction> predictions(const RowFilter& filter) override {
    return queue_.store().predictions(filter);
  }
  std::string location() const override { return queue_.store().location(); }
  void for_each_raw_point(const std::function<void(const RawPoint&)>& visit) override {
    queue_.store().for_each_raw_point(visit);
  }
  MergeOutcome merge_point(const RawPoint& point, bool replace_newer) override {
    return queue_.store().merge_point(point, replace_newer);
  }

  bool completed = false, lost = false;

 private:
  FleetQueue& queue_;
  const QueueItem& item_;
};

// Renews the lease every third of it on its own connection until stopped.
class Heartbeat {
 public:
  Heartbeat(std::unique_ptr<FleetQueue> queue, const QueueItem& item, double lease_s)
      : queue_(std::move(queue)), item_(item), lease_s_(lease_s) {
    // One quick reconnect per renewal: the loop tries again every third of a lease, and the
    // worker must not wait on a renewal to finish its point.
    queue_->store().ride_out_outages(0);
    thread_ = std::thread([this] { loop(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto period = std::chrono::duration<double>(lease_s_ / 3);
    while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
      try {
        if (!queue_->renew(item_, lease_s_)) return;  // claimed again elsewhere: storing will be refused
        said_unreachable_ = false;
      } catch (const ConnectionLostError&) {
        outage_seen = true;
        // Said once per outage; the worker's own connection reports the loss and the recovery.
        if (!said_unreachable_) std::fprintf(stderr, "worker: the lease cannot be renewed while the fleet store is unreachable; trying every %.1f s\n", lease_s_ / 3);
        said_unreachable_ = true;
      } catch (const Error& e) {
        std::fprintf(stderr, "worker: could not renew the lease (%s); trying again\n", e.what());
      }
    }
  }


 public:
  std::atomic<bool> outage_seen{false};  // the lease could not be renewed for a lost connection

 private:
  std::unique_ptr<FleetQueue> queue_;
  const QueueItem& item_;
  double lease_s_;
  bool said_unreachable_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

void sleep_unless_stopped(double seconds, const std::atomic<bool>* stop) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until && !(stop && stop->load())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

WorkerOutcome run_worker(FleetQueue& queue, const HostInfo& host, const WorkerSettings& settings,
                         ProfileListener& listener) {
  WorkerOutcome out;
  std::vector<int64_t> refused;  // claimed by no one else: this device cannot measure them
  std::map<std::string, std::unique_ptr<DeviceMeters>> meters;  // per device, started once
  bool said_waiting = false;
  const std::string fingerprint = host.fingerprint();
  auto say = [&](const std::string& text) {
    if (!settings.quiet) std::fprintf(stderr, "worker %s: %s\n", settings.worker.c_str(), text.c_str());
  };
  // A restarted server, a lost network, a failover: keep the point in hand and reconnect; a
  // following worker never gives up.
  queue.store().ride_out_outages(settings.follow ? std::numeric_limits<double>::infinity() : settings.give_up_s, say);
  while (!(settings.stop && settings.stop->load())) {
    const auto item = queue.claim(settings.queue, settings.device_class, settings.worker, fingerprint,
                                  settings.lease_s, settings.max_attempts, refused);
    if (!item) {
      const int64_t others = queue.unfinished(settings.queue, settings.device_class, refused);
      if (others <= 0 && !settings.follow) break;
      if (!said_waiting) {
        say(others > 0 ? fmt::format("waiting: {} point(s) claimed by other workers (their leases may run out)", others)
                       : "waiting for new points (--follow)");
        said_waiting = true;
      }
      sleep_unless_stopped(settings.poll_s, settings.stop);
      continue;
    }
    said_waiting = false;
    const QueueEntry& e = item->entry;
    say(fmt::format("point {} (attempt {}): {} {}", item->id, item->attempts, e.model_name, e.config_key));
    std::vector<SweepItem> items;
    try {
      const Spec spec = parse_spec(e.spec_json);
      const auto models = load_models(settings.zoo_dir, {e.model_name}, {}, spec.override_shape);
      const std::string device = spec.lists.devices.front();
      auto& device_meters = meters[device];
      if (!device_meters) {
        device_meters = std::make_unique<DeviceMeters>(settings.meter, "", spec.lists.devices, settings.sysfs_root,
                                                       settings.quiet);
      }
      items = plan_sweep(models, spec.lists, *device_meters);
      if (items.size() != 1) throw Error(fmt::format("the queued settings plan {} points, not one", items.size()));
      if (items[0].model.content_sha256 != e.model_sha256) {
        const std::string why = fmt::format(
            "refused: this device's file of model '{}' ({}) has content sha256 {}, the queue wants {}: copy the zoo "
            "the sweep was planned on to {}",
            e.model_name, items[0].model.path, items[0].model.content_sha256.substr(0, 12),
            e.model_sha256.substr(0, 12), settings.zoo_dir);
        queue.release(*item, false, "");
        refused.push_back(item->id);
        ++out.refused;
        out.messages.push_back(why);
        say(why);
        continue;
      }
      SessionSettings session;
      session.protocol = spec.protocol;
      session.dataset = settings.dataset;
      session.store_location = queue.store().location();
      session.stop = settings.stop;
      // A queued point is measured even where this host has it INVALID (a requeued point).
      session.retry_invalid = true;
      session.engine_factory = settings.engine_factory;
      ClaimStore claim(queue, *item);
      SweepOutcome outcome;
      bool outage = false;
      {
        Heartbeat heartbeat(settings.open_heartbeat(), *item, settings.lease_s);
        outcome = run_session(items, claim, host, *device_meters, session, listener);
        outage = heartbeat.outage_seen;
      }
      if (outcome.interrupted) {
        queue.release(*item, false, "");
        out.interrupted = true;
        say(fmt::format("interrupted: point {} given back to the queue", item->id));
        break;
      }
      if (!outcome.failures.empty()) throw Error(outcome.failures.front());
      if (!claim.completed && !claim.lost) {
        // Skipped: this host already has the point (measured outside the queue, or before a crash).
        claim.completed = queue.complete(*item, nullptr, host, items[0].config.key());
        claim.lost = !claim.completed;
      }
      if (claim.lost) {
        ++out.lost;
        if (outage) queue.lost_to_outage(*item);
        say(fmt::format("point {} was claimed again by another worker after this one's lease ran out{}; "
                        "its copy is the one stored, this one was dropped",
                        item->id, outage ? " while the fleet store was unreachable (not counted as an attempt)" : ""));
      } else {
        ++out.done;
      }
    } catch (const ConnectionLostError&) {
      throw;  // the store stayed unreachable past --give-up-s: not this point's failure
    } catch (const Error& error) {
      if (error.exit_code() == exit_code::kInterrupted) throw;
      const bool last = item->attempts >= settings.max_attempts;
      const std::string why = error.what();
      ++out.failed;
      out.messages.push_back(why);
      say(fmt::format("point {} failed ({}); {}", item->id, why,
                      last ? "marked failed after its last attempt" : "given back for another attempt"));
      queue.release(*item, last, why);
      if (!last) refused.push_back(item->id);  // not this worker again: another device may manage
    }
  }
  if (settings.stop && settings.stop->load()) out.interrupted = true;
  return out;
}

}  // namespace edgejoule
