#pragma once
// A sweep shared out over identical devices through the fleet store (PostgreSQL): `profile
// --enqueue` plans points into a named queue per device class without measuring; each device's
// `worker` claims one point at a time under a lease it renews, measures it, and stores it and
// marks it done in one transaction. A claim carries a token: a worker whose lease expired and
// was claimed again cannot store its copy (the token no longer matches), so every queued point
// is stored once. Only the PostgreSQL store has queues (SQLite has one writer and one host).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "core/records.h"
#include "store/store.h"

namespace edgejoule {

struct QueueEntry {  // one planned point
  std::string model_name, model_sha256, config_key;
  std::string spec_json;  // what the worker measures (configuration, protocol), profiler/fleet_spec
};

struct QueueItem {  // one claimed point
  int64_t id = 0;
  int64_t token = 0;  // this claim's; a later claim of the same point gets another
  int attempts = 0;   // claims so far, this one included
  QueueEntry entry;
};

struct QueueCount {  // queue status: one line per queue, device class, worker and state
  std::string queue, device_class, worker, status;  // status: pending | claimed | done | failed
  int64_t points = 0;
  std::string last_error;  // of a failed point
  // Claims of these points that ran out during an outage (a server restart, the worker's lost
  // connection): not counted as attempts.
  int64_t outage_losses = 0;
};

class FleetQueue {
 public:
  virtual ~FleetQueue() = default;
  // Adds the entries not queued yet (same queue, device class, model content and configuration);
  // returns how many were added. With `requeue_invalid`, entries done with an INVALID point are
  // made pending again (counted in `*requeued`), and the worker that takes one measures it again.
  virtual int64_t enqueue(const std::string& queue, const std::string& device_class,
                          const std::vector<QueueEntry>& entries, bool requeue_invalid = false,
                          int64_t* requeued = nullptr) = 0;
  // The oldest pending point of the class, or one whose lease expired (a worker killed or
  // unplugged), skipping rows other workers hold (FOR UPDATE SKIP LOCKED) and the ids in
  // `excluded`. A point claimed `max_attempts` times without finishing is marked failed instead.
  virtual std::optional<QueueItem> claim(const std::string& queue, const std::string& device_class,
                                         const std::string& worker, const std::string& host_fingerprint,
                                         double lease_s, int max_attempts,
                                         const std::vector<int64_t>& excluded) = 0;
  // The worker's claim ran out while its connection was lost, and another claim took the point:
  // the claim is not counted as an attempt (a point failed for running out of attempts that
  // way is made pending again) and is counted as an outage loss.
  virtual void lost_to_outage(const QueueItem& item) = 0;
  // Extends the lease; false when the claim is no longer this worker's (expired and taken).
  virtual bool renew(const QueueItem& item, double lease_s) = 0;
  // In one transaction: stores `record` as `host`'s point (replacing this host's copy with
  // `replace`, as save_point) and marks the item done. With no record,
  // marks it done with the point this host already has for (model, configuration key). False
  // (nothing stored) when the claim is no longer this worker's.
  virtual bool complete(const QueueItem& item, const PointRecord* record, const HostInfo& host,
                        const std::string& config_key, bool replace = false) = 0;
  // Gives the point back: pending again (`failed` false; the attempt still counts) or failed
  // with the reason. False when the claim is no longer this worker's.
  virtual bool release(const QueueItem& item, bool failed, const std::string& reason) = 0;
  // Points of the class not finished, but those in `excluded`: pending, or claimed (under a live
  // or an expired lease).
  virtual int64_t unfinished(const std::string& queue, const std::string& device_class,
                             const std::vector<int64_t>& excluded = {}) = 0;
  virtual std::vector<QueueCount> status(const std::string& queue) = 0;  // "" = every queue
  virtual Store& store() = 0;
};

// The queue of the store at `uri`: a PostgreSQL URI (each call opens its own connection).
// Throws Error for an SQLite store, saying that queues need the fleet store.
std::unique_ptr<FleetQueue> open_fleet_queue(const std::string& uri);

}  // namespace edgejoule
