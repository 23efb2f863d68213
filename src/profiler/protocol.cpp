#include "profiler/protocol.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "common/strings.h"
#include "platform/memory.h"
#include "profiler/scenario.h"

namespace edgejoule {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

bool stop_requested(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

}  // namespace

void validate(const ProtocolSettings& s) {
  auto require = [](bool ok, const std::string& message) {
    if (!ok) throw Error(message);
  };
  require(std::isfinite(s.warmup_s) && s.warmup_s >= 0, "--warmup-s must be 0 or more seconds");
  require(s.warmup_min_iterations >= 0, "--warmup-iterations must be 0 or more");
  require(std::isfinite(s.min_time_s) && s.min_time_s > 0, "--min-time-s must be more than 0 seconds");
  require(s.min_window_iterations >= 1, "--min-iterations must be at least 1");
  require(s.repetitions >= 1 && s.repetitions <= 1000, "--repetitions must be between 1 and 1000");
  require(std::isfinite(s.max_cv) && s.max_cv > 0, "--max-cv must be more than 0 (e.g. 0.1 for 10 %)");
  require(std::isfinite(s.meter_periods_per_window) && s.meter_periods_per_window >= 1,
          "--meter-periods must be at least 1");
}

void apply_verdict(PointResult& result, const ProtocolSettings& settings, const ScenarioSettings& scenario) {
  std::vector<std::string> reasons;
  if (scenario.scenario == "server" && scenario.rate_qps) {
    const double rate = *scenario.rate_qps;
    // Saturation: the device cannot serve the rate when the arrivals need more call time than
    // its requests have, or when queries were still waiting after the window (dropped).
    const double offered_load = result.service_ms_mean ? rate * *result.service_ms_mean / 1000 / scenario.requests : 0;
    if (result.dropped_queries > 0 || offered_load >= 1) {
      const double capacity_qps =
          result.service_ms_mean && *result.service_ms_mean > 0 ? 1000.0 * scenario.requests / *result.service_ms_mean : 0;
      reasons.push_back(fmt::format(
          "saturated: {:g} queries/s need {:.0f} % of what {} request(s) at {:.2f} ms a call serve (about {:.1f} "
          "queries/s){}; lower --rate or raise --concurrency",
          rate, offered_load * 100, scenario.requests, result.service_ms_mean.value_or(0), capacity_qps,
          result.dropped_queries > 0
              ? fmt::format(", and {} arrival(s) were still waiting when the window ended", result.dropped_queries)
              : ""));
    }
    if (scenario.latency_bound_ms && result.latency_ms.count > 0 && result.latency_ms.p99 > *scenario.latency_bound_ms) {
      reasons.push_back(fmt::format(
          "p99 latency {:.2f} ms (queueing included) is over the {:g} ms bound (--latency-bound-ms) at {:g} "
          "queries/s",
          result.latency_ms.p99, *scenario.latency_bound_ms, rate));
    }
  }
  if (result.windows.size() < 2) {
    reasons.push_back(fmt::format(
        "{} measured window(s): the spread between windows is unknown; use --repetitions 2 or more",
        result.windows.size()));
  } else if (result.window_latency_ms.cv && *result.window_latency_ms.cv > settings.max_cv) {
    reasons.push_back(fmt::format(
        "mean latency varied {:.1f} % between windows, over the {:.1f} % limit (--max-cv): the "
        "machine was busy or the windows are too short; raise --min-time-s",
        *result.window_latency_ms.cv * 100, settings.max_cv * 100));
  }
  if (result.energy) {
    const auto& e = *result.energy;
    for (const auto& w : result.windows) {
      if (!w.energy_invalid_reason.empty()) {
        reasons.push_back("energy of window " + std::to_string(w.index + 1) + ": " + w.energy_invalid_reason);
        break;
      }
    }
    const double needed_s = settings.meter_periods_per_window * e.update_period_s;
    for (const auto& w : result.windows) {
      if (w.duration_s < needed_s) {
        reasons.push_back(fmt::format(
            "window {} lasted {:.3f} s, shorter than {:g} x the meter's {:.3f} s update period: "
            "raise --min-time-s to at least {:.2f}",
            w.index + 1, w.duration_s, settings.meter_periods_per_window, e.update_period_s, needed_s));
        break;
      }
    }
    if (e.energy_j_per_inference.cv && *e.energy_j_per_inference.cv > settings.max_cv) {
      reasons.push_back(fmt::format(
          "energy per inference varied {:.1f} % between windows, over the {:.1f} % limit (--max-cv): "
          "other load on the device, or windows too short for the meter; raise --min-time-s",
          *e.energy_j_per_inference.cv * 100, settings.max_cv * 100));
    }
  }
  if (reasons.empty()) {
    result.verdict = Verdict::kValid;
    result.reason.clear();
  } else {
    result.verdict = Verdict::kInvalid;
    result.reason = join(reasons, "; ");
  }
}

PointResult run_protocol(Engine& engine, const Configuration& config,
                         const ProtocolSettings& settings, ProfileListener& listener,
                         const PointContext& context, const std::atomic<bool>* stop, Meter* meter,
                         Meter* cross_check) {
  if (!meter) cross_check = nullptr;
  PointResult result;

  // 0. With a meter: every window must span many of its updates, and idle power is measured
  //    for as long as one window, with the model loaded and the device otherwise idle.
  double window_s = settings.min_time_s;
  double meter_wait_s = 0;
  if (meter) {
    EnergyResult energy;
    const MeterInfo info = meter->info();
    energy.meter = info.name;
    energy.provenance = info.provenance;
    energy.measured = info.measured;
    const double measured_period = meter->measured_update_period_s();
    energy.update_period_s = measured_period > 0 ? measured_period : info.update_period_s;
    energy.min_window_s = settings.meter_periods_per_window * energy.update_period_s;
    window_s = std::max(window_s, energy.min_window_s);
    meter_wait_s = std::max(1.0, 3 * energy.update_period_s);
    if (settings.idle_baseline) {
      meter->sample_now();
      const double t0 = unix_now_s();
      const auto idle_start = Clock::now();
      while (seconds_between(idle_start, Clock::now()) < window_s) {
        if (stop_requested(stop)) throw InterruptedError();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      const double t1 = unix_now_s();
      meter->sample_now();
      const EnergyReading idle = meter->energy_between(t0, t1, meter_wait_s);
      energy.idle_duration_s = t1 - t0;
      if (idle.valid) energy.idle_power_w = idle.energy_j / (t1 - t0);
    }
    result.energy = std::move(energy);
  }

  // 1. Warm-up: one-off costs (allocator growth, JIT profiling runs, cache fills) stay out.
  //    Offline and server warm up with every request in flight, as they will run.
  const ScenarioSettings scenario = scenario_of(config, engine.runtime().requests, settings.arrival_seed);
  result.requests_in_flight = scenario.requests;
  const auto warmup_start = Clock::now();
  const int64_t warmup_iterations =
      warm_up(engine, scenario, settings.warmup_s, settings.warmup_min_iterations, stop);
  result.warmup_s = seconds_between(warmup_start, Clock::now());
  result.warmup_iterations = warmup_iterations;
  listener.on_warmup_end(context, result.warmup_s, warmup_iterations);

  // 2. Measured windows, each issued the scenario's way (profiler/scenario.h); a window closes
  //    only after its calls return, so it always holds whole calls. A server's queries still
  //    waiting this long after the last arrival are dropped: the device fell behind the rate.
  const double drain_s = std::max(1.0, 0.25 * window_s);
  std::vector<double> all_latencies_ms;
  std::vector<double> window_means_ms;
  double total_window_s = 0;
  int64_t total_samples = 0;
  for (int rep = 0; rep < settings.repetitions; ++rep) {
    if (meter) meter->sample_now();
    if (cross_check) cross_check->sample_now();
    IssuedWindow issued = issue_window(engine, scenario, window_s, settings.min_window_iterations, drain_s);
    if (meter) meter->sample_now();
    if (cross_check) cross_check->sample_now();
    const double window_start_unix_s = issued.start_unix_s;
    const double window_end_unix_s = issued.end_unix_s;
    std::vector<double> latencies_ms = std::move(issued.latencies_ms);

    WindowResult window;
    window.start_unix_s = window_start_unix_s;
    window.end_unix_s = window_end_unix_s;
    window.index = rep;
    window.duration_s = issued.duration_s;
    window.busy_fraction = issued.busy_fraction;
    window.service_ms_mean = issued.service_ms_mean;
    window.dropped_queries = issued.dropped_queries;
    window.iterations = static_cast<int64_t>(latencies_ms.size());
    window.samples = window.iterations * config.batch;
    window.throughput_sps = window.duration_s > 0 ? static_cast<double>(window.samples) / window.duration_s : 0;
    if (meter) {
      // Outside the timed loop: may wait for the meter's next update past the window's end.
      const EnergyReading r = meter->energy_between(window_start_unix_s, window_end_unix_s, meter_wait_s);
      window.meter_updates = r.updates;
      if (r.valid) {
        const double span_s = window_end_unix_s - window_start_unix_s;
        window.energy_j = r.energy_j;
        window.energy_j_per_inference = r.energy_j / static_cast<double>(window.samples);
        window.mean_power_w = r.energy_j / span_s;
        if (result.energy->idle_power_w) {
          window.energy_above_idle_j_per_inference =
              (r.energy_j - *result.energy->idle_power_w * span_s) / static_cast<double>(window.samples);
        }
      } else {
        window.energy_invalid_reason = r.why_invalid;
      }
      if (cross_check) {
        const EnergyReading c = cross_check->energy_between(
            window_start_unix_s, window_end_unix_s,
            std::max(1.0, 3 * cross_check->info().update_period_s));
        if (c.valid) window.cross_check_energy_j = c.energy_j;
      }
    }
    all_latencies_ms.insert(all_latencies_ms.end(), latencies_ms.begin(), latencies_ms.end());
    window.latency_ms = summarize(std::move(latencies_ms));
    window_means_ms.push_back(window.latency_ms.mean);
    total_window_s += window.duration_s;
    total_samples += window.samples;
    listener.on_window_end(context, window);
    result.windows.push_back(std::move(window));
    if (stop_requested(stop)) throw InterruptedError();
  }

  // 3. Statistics and verdict.
  result.latency_ms = summarize(std::move(all_latencies_ms));
  result.window_latency_ms = summarize(std::move(window_means_ms));
  result.throughput_sps = total_window_s > 0 ? static_cast<double>(total_samples) / total_window_s : 0;
  double busy_sum = 0, service_sum_ms = 0;
  for (const auto& w : result.windows) {
    busy_sum += w.busy_fraction;
    service_sum_ms += w.service_ms_mean;
    result.dropped_queries += w.dropped_queries;
  }
  if (scenario.scenario != "single-stream" && !result.windows.empty()) {
    result.busy_fraction = busy_sum / static_cast<double>(result.windows.size());
    result.service_ms_mean = service_sum_ms / static_cast<double>(result.windows.size());
  }
  if (meter) {
    auto& e = *result.energy;
    // The period may only have become measurable during the windows (slow counters).
    if (const double p = meter->measured_update_period_s(); p > 0) e.update_period_s = p;
    std::vector<double> per_inference, above_idle, power;
    for (const auto& w : result.windows) {
      if (w.energy_j_per_inference) per_inference.push_back(*w.energy_j_per_inference);
      if (w.energy_above_idle_j_per_inference) above_idle.push_back(*w.energy_above_idle_j_per_inference);
      if (w.mean_power_w) power.push_back(*w.mean_power_w);
    }
    e.energy_j_per_inference = summarize(per_inference);
    e.energy_above_idle_j_per_inference = summarize(above_idle);
    e.mean_power_w = summarize(power);
    if (cross_check) {
      e.cross_check_meter = cross_check->info().name;
      double main_j = 0, other_j = 0;
      bool complete = true;
      for (const auto& w : result.windows) {
        if (!w.energy_j || !w.cross_check_energy_j) complete = false;
        else {
          main_j += *w.energy_j;
          other_j += *w.cross_check_energy_j;
        }
      }
      if (complete && main_j > 0) e.cross_check_difference_pct = (other_j - main_j) / main_j * 100;
    }
  }
  apply_verdict(result, settings, scenario);
  return result;
}

SweepOutcome run_sweep(const std::vector<SweepItem>& items, const SweepOptions& options,
                       ProfileListener& listener) {
  validate(options.protocol);
  SweepOutcome outcome;
  std::set<std::string> broken_models;  // models that failed to load: not retried per config
  listener.on_sweep_start(items.size());
  try {
    for (size_t i = 0; i < items.size(); ++i) {
      const SweepItem& item = items[i];
      PointContext context{&item.model, &item.config, i, items.size()};
      if (stop_requested(options.stop)) throw InterruptedError();
      if (broken_models.count(item.model.path)) {
        listener.on_point_skipped(context, "the model failed to load earlier in this sweep");
        ++outcome.skipped;
        continue;
      }
      if (options.skip_reason) {
        if (auto why = options.skip_reason(item); !why.empty()) {
          listener.on_point_skipped(context, why);
          ++outcome.skipped;
          continue;
        }
      }
      PointRecord record;
      // Outside the try below: a platform that cannot be set stops the sweep (Error), it is not
      // one point's failure.
      if (options.platform_for) record.platform_state_json = options.platform_for(item);
      listener.on_point_start(context);
      record.model = item.model;
      record.config = item.config;
      record.protocol = options.protocol;
      record.started_at_utc = utc_now_iso8601();

      std::unique_ptr<Engine> engine;
      bool loaded = false;
      const bool peak_is_this_points = reset_peak_rss();
      try {
        if (!item.unsupported_reason.empty()) throw UnsupportedError(item.unsupported_reason);
        engine = options.engine_factory(item.config.engine);
        if (const auto refused = knobs_not_honoured(item.config.knobs, item.config.engine); !refused.empty()) {
          throw UnsupportedError("engine " + item.config.engine + " has no such knob: " + join(refused, ", "));
        }
        engine->load(item.model.path, item.config.engine_options());
        loaded = true;
        engine->prepare(item.config.input_shape());
        if (item.config.knob("scenario") != "single-stream") engine->prepare_requests(requested_concurrency(item.config));
        Meter* meter = options.meter_for ? options.meter_for(item.config) : nullptr;
        Meter* cross = options.cross_check_for ? options.cross_check_for(item.config) : nullptr;
        record.result = run_protocol(*engine, item.config, options.protocol, listener, context,
                                     options.stop, meter, cross);
        // Read after the windows: some engines only know what their workers applied once they ran.
        record.runtime = engine->runtime();
        record.runtime.knobs["scenario"] = item.config.knob("scenario");
        if (item.config.knob("scenario") != "single-stream") {
          record.runtime.knobs["concurrency"] = std::to_string(record.runtime.requests);
        }
        // Before the accuracy pass, whose dataset batches are not part of the configuration.
        if (peak_is_this_points) record.result.peak_rss_mb = peak_rss_mb();
        if (options.accuracy_for) record.accuracy = options.accuracy_for(*engine, item);
      } catch (const UnsupportedError& e) {
        record.runtime.engine = item.config.engine;
        record.runtime.device = item.config.device;
        record.runtime.precision = item.config.precision;
        record.result.verdict = Verdict::kUnsupported;
        record.result.reason = e.what();
      } catch (const InterruptedError&) {
        throw;
      } catch (const Error& e) {
        if (!loaded) broken_models.insert(item.model.path);
        outcome.failures.emplace_back(e.what());
        listener.on_point_failed(context, e.what());
        continue;
      }
      engine.reset();  // free the model before storing, so memory stays bounded over a sweep
      listener.on_point_end(context, record);
      if (record.result.verdict == Verdict::kUnsupported) {
        ++outcome.unsupported;
      } else {
        ++outcome.measured;
      }
    }
  } catch (const InterruptedError&) {
    outcome.interrupted = true;
  }
  listener.on_sweep_end(outcome.interrupted);
  return outcome;
}

}  // namespace edgejoule
