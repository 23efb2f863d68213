#include "profiler/scenario.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "common/error.h"
#include "meters/meter.h"

namespace edgejoule {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// What one worker (one request slot) saw in a window.
struct SlotResult {
  std::vector<double> latencies_ms;
  double busy_s = 0;
  int64_t dropped = 0;
  Clock::time_point last_end{};
};

// Runs `work(slot, result)` on one thread per request slot and rethrows the first exception a
// worker threw, after every worker has stopped.
template <class Work>
std::vector<SlotResult> on_every_slot(int requests, Work work) {
  std::vector<SlotResult> results(static_cast<size_t>(requests));
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  std::atomic<bool> failed{false};
  for (int slot = 0; slot < requests; ++slot) {
    threads.emplace_back([&, slot] {
      try {
        work(slot, results[static_cast<size_t>(slot)], failed);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

IssuedWindow merge(std::vector<SlotResult> slots, Clock::time_point start, double start_unix_s, int requests) {
  IssuedWindow w;
  w.start_unix_s = start_unix_s;
  Clock::time_point end = start;
  double busy_s = 0;
  for (auto& s : slots) {
    w.latencies_ms.insert(w.latencies_ms.end(), s.latencies_ms.begin(), s.latencies_ms.end());
    busy_s += s.busy_s;
    w.dropped_queries += s.dropped;
    end = std::max(end, s.last_end);
  }
  w.duration_s = seconds_between(start, end);
  w.end_unix_s = start_unix_s + w.duration_s;
  w.busy_fraction = w.duration_s > 0 ? busy_s / (requests * w.duration_s) : 1;
  w.service_ms_mean = w.latencies_ms.empty() ? 0 : busy_s * 1000 / static_cast<double>(w.latencies_ms.size());
  return w;
}

IssuedWindow single_stream(Engine& engine, double window_s, int64_t min_queries) {
  IssuedWindow w;
  w.latencies_ms.reserve(1024);
  w.start_unix_s = unix_now_s();
  const auto start = Clock::now();
  auto call_start = start;
  Clock::time_point now;
  do {
    engine.run();
    now = Clock::now();
    w.latencies_ms.push_back(ms_between(call_start, now));
    call_start = now;
  } while (seconds_between(start, now) < window_s || static_cast<int64_t>(w.latencies_ms.size()) < min_queries);
  w.end_unix_s = unix_now_s();
  w.duration_s = seconds_between(start, now);
  double sum = 0;
  for (double l : w.latencies_ms) sum += l;
  w.service_ms_mean = sum / static_cast<double>(w.latencies_ms.size());
  return w;
}

// Every request back to back until the window has lasted `window_s` and held `min_queries`;
// the window closes when the last call in flight returns.
IssuedWindow offline(Engine& engine, int requests, double window_s, int64_t min_queries) {
  std::atomic<int64_t> calls{0};
  const double start_unix_s = unix_now_s();
  const auto start = Clock::now();
  auto slots = on_every_slot(requests, [&](int slot, SlotResult& r, const std::atomic<bool>& failed) {
    r.latencies_ms.reserve(1024);
    Clock::time_point now = Clock::now();
    while (!failed && (seconds_between(start, now) < window_s || calls.load() < min_queries)) {
      const auto call_start = Clock::now();
      engine.run_request(slot);
      now = Clock::now();
      r.latencies_ms.push_back(ms_between(call_start, now));
      r.busy_s += seconds_between(call_start, now);
      r.last_end = now;
      ++calls;
    }
  });
  return merge(std::move(slots), start, start_unix_s, requests);
}

// Queries arrive at their scheduled times; a free request takes the oldest waiting one (one FIFO
// queue, `requests` servers). Latency runs from the scheduled arrival, so queueing counts.
IssuedWindow server(Engine& engine, const ScenarioSettings& s, double window_s, int64_t min_queries,
                    double drain_s) {
  const std::vector<double> arrivals = poisson_arrivals_s(*s.rate_qps, window_s, min_queries, s.arrival_seed);
  const double last_arrival_s = arrivals.empty() ? 0 : arrivals.back();
  std::atomic<size_t> next{0};
  const double start_unix_s = unix_now_s();
  const auto start = Clock::now();
  const auto give_up = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(last_arrival_s + drain_s));
  auto slots = on_every_slot(s.requests, [&](int slot, SlotResult& r, const std::atomic<bool>& failed) {
    r.latencies_ms.reserve(arrivals.size() / static_cast<size_t>(s.requests) + 16);
    while (!failed) {
      const size_t k = next.fetch_add(1);
      if (k >= arrivals.size()) break;
      const auto scheduled =
          start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(arrivals[k]));
      std::this_thread::sleep_until(scheduled);
      const auto call_start = Clock::now();
      if (call_start > give_up) {
        ++r.dropped;
        continue;
      }
      engine.run_request(slot);
      const auto end = Clock::now();
      r.latencies_ms.push_back(ms_between(scheduled, end));
      r.busy_s += seconds_between(call_start, end);
      r.last_end = end;
    }
  });
  IssuedWindow w = merge(std::move(slots), start, start_unix_s, s.requests);
  // The window is the arrivals' whole span (the idle time after the last arrival is part of
  // serving the rate), or longer when the last query finished after it. Waits out the rest of
  // the span, so the meter's window and the wall clock agree.
  const double span_s = std::max(window_s, static_cast<double>(arrivals.size()) / *s.rate_qps);
  if (w.duration_s < span_s) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(span_s)));
    w.busy_fraction *= w.duration_s / span_s;
    w.duration_s = span_s;
    w.end_unix_s = start_unix_s + span_s;
  }
  return w;
}

}  // namespace

int requested_concurrency(const Configuration& config) {
  if (config.knob("scenario") == "single-stream") return 1;
  const auto n = knob_number(config.knobs, "concurrency");
  return n ? static_cast<int>(*n) : 0;
}

ScenarioSettings scenario_of(const Configuration& config, int requests, uint64_t arrival_seed) {
  ScenarioSettings s;
  s.scenario = config.knob("scenario");
  s.requests = std::max(1, requests);
  s.rate_qps = knob_number(config.knobs, "rate");
  s.latency_bound_ms = knob_number(config.knobs, "latency_bound_ms");
  s.arrival_seed = arrival_seed;
  return s;
}

std::vector<double> poisson_arrivals_s(double rate_qps, double span_s, int64_t min_queries, uint64_t seed) {
  // A Poisson process given its count over a span is that many independent uniform times, sorted.
  // Conditioning on count = rate x span keeps the arrivals' randomness (exponential gaps) while
  // every window runs at the rate asked for: unconditioned, a few seconds at a few queries per
  // second realise a rate tens of per cent off, and the idle energy per query with it.
  const auto count = std::max<int64_t>(std::max<int64_t>(min_queries, 1), std::llround(rate_qps * span_s));
  const double span = std::max(span_s, static_cast<double>(count) / rate_qps);
  std::mt19937_64 rng(seed);
  std::vector<double> out(static_cast<size_t>(count));
  for (auto& t : out) t = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0) * span;
  std::sort(out.begin(), out.end());
  return out;
}

IssuedWindow issue_window(Engine& engine, const ScenarioSettings& s, double window_s, int64_t min_queries,
                          double drain_s) {
  if (s.scenario == "offline") return offline(engine, s.requests, window_s, min_queries);
  if (s.scenario == "server") {
    if (!s.rate_qps) throw Error("--scenario server needs --rate R, the queries per second arriving");
    return server(engine, s, window_s, min_queries, drain_s);
  }
  return single_stream(engine, window_s, min_queries);
}

int64_t warm_up(Engine& engine, const ScenarioSettings& s, double min_s, int64_t min_calls,
                const std::atomic<bool>* stop) {
  auto stopped = [&] { return stop != nullptr && stop->load(std::memory_order_relaxed); };
  const auto start = Clock::now();
  if (s.scenario == "single-stream") {
    int64_t calls = 0;
    while (calls < min_calls || seconds_between(start, Clock::now()) < min_s) {
      if (stopped()) throw InterruptedError();
      engine.run();
      ++calls;
    }
    return calls;
  }
  // Every request warms up, all in flight at once, as they will run.
  std::atomic<int64_t> calls{0};
  on_every_slot(s.requests, [&](int slot, SlotResult&, const std::atomic<bool>& failed) {
    int64_t mine = 0;
    while (!failed && !stopped() && (mine < 1 || calls.load() < min_calls || seconds_between(start, Clock::now()) < min_s)) {
      engine.run_request(slot);
      ++mine;
      ++calls;
    }
  });
  if (stopped()) throw InterruptedError();
  return calls.load();
}

}  // namespace edgejoule
