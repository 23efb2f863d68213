#include "runtime/budget_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <thread>

#include <fmt/format.h>

#include "common/error.h"
#include "core/stats.h"

namespace edgejoule {
namespace {

class SystemClock final : public Clock {
 public:
  double now_s() override { return unix_now_s(); }
  void sleep_until(double t_s) override {
    const double wait = t_s - unix_now_s();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
};

// The inferences between two readings of the meter, by option.
struct Window {
  double t0 = 0, t1 = 0;
  std::vector<int64_t> n;
  std::vector<double> busy_s;
  std::vector<double> load_s;
  std::vector<int> loads;
  explicit Window(size_t options, double start) : t0(start), n(options, 0), busy_s(options, 0), load_s(options, 0), loads(options, 0) {}
  int64_t inferences() const {
    int64_t total = 0;
    for (auto k : n) total += k;
    return total;
  }
};

// What an option drew per second of its calls when its point was measured (0 when its call time
// is unknown).
double stored_power_w(const RunOption& o) { return o.latency_ms > 0 ? o.active_energy_j / (o.latency_ms / 1000.0) : 0; }

// How much of a window's energy an option's calls drew, relative to the others: its stored
// power over the time it ran (a configuration slowed by a competing load draws for longer).
double active_weight(const RunOption& o, double busy_s, int64_t n) {
  if (o.latency_ms > 0) return stored_power_w(o) * busy_s;
  return o.active_energy_j * static_cast<double>(n);
}

}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kCompleted: return "completed";
    case RunStatus::kStopped: return "stopped";
    case RunStatus::kInterrupted: return "interrupted";
  }
  return "?";
}

int64_t RunReport::correct() const {
  int64_t total = 0;
  for (const auto& u : usage) total += u.correct;
  return total;
}

int64_t RunReport::labelled() const {
  int64_t total = 0;
  for (const auto& u : usage) total += u.labelled;
  return total;
}

void check_budget_covers(const RunPlan& plan) {
  if (plan.options.empty()) {
    throw Error("no configuration to run: the store has no VALID point with energy and accuracy that fits; "
                "profile the models first ('edgejoule profile')");
  }
  if (plan.inferences <= 0) throw Error("the run has no inferences to do: pass --inferences N or --duration-s T with --rate");
  if (!(plan.budget_j > 0)) throw Error("the energy budget must be a positive number of joules");
  const auto cheapest = std::min_element(plan.options.begin(), plan.options.end(),
                                         [](const RunOption& a, const RunOption& b) { return a.energy_j < b.energy_j; });
  const double needed = cheapest->energy_j * static_cast<double>(plan.inferences);
  if (plan.budget_j < needed) {
    throw Error(fmt::format(
        "the budget of {:.4g} J cannot cover {} inferences even at the cheapest configuration ({} at {:.4g} J "
        "each, {:.4g} J in all): raise the budget to at least {:.4g} J or run at most {} inferences",
        plan.budget_j, plan.inferences, cheapest->label, cheapest->energy_j, needed, needed,
        static_cast<int64_t>(std::floor(plan.budget_j / cheapest->energy_j))));
  }
}

RunReport run_under_budget(const RunPlan& plan, Workload& workload, Meter& meter, Clock& clock, RunListener& listener,
                           const std::atomic<bool>* stop) {
  check_budget_covers(plan);
  const size_t count = plan.options.size();
  RunReport report;
  report.inferences_planned = plan.inferences;
  report.budget_j = plan.budget_j;
  report.usage.resize(count);

  std::vector<MixOption> live(count);
  for (size_t i = 0; i < count; ++i) {
    live[i] = {plan.options[i].energy_j, plan.options[i].top1};
    report.usage[i].live_energy_j = plan.options[i].energy_j;
  }
  size_t cheapest = 0;
  auto find_cheapest = [&] {
    cheapest = 0;
    for (size_t i = 1; i < count; ++i) {
      if (live[i].energy_j < live[cheapest].energy_j) cheapest = i;
    }
  };
  find_cheapest();
  auto cheapest_alone = [&] { return Mix{cheapest, cheapest, 0, live[cheapest].energy_j, live[cheapest].top1, false}; };
  auto say = [&](const std::string& sentence) {
    report.events.push_back(sentence);
    listener.on_event(sentence);
  };

  double load_energy_j = 0;  // per load, as read (0 until a load ran inside a window)
  double load_time_s = 0;    // per load, as timed
  auto both_fit = [&](const Mix& m) {
    if (m.cheaper == m.dearer || !plan.memory_limit_mb) return true;
    const auto& a = plan.options[m.cheaper].memory_mb;
    const auto& b = plan.options[m.dearer].memory_mb;
    if (!a || !b) return true;  // unknown: trust the limit to the first that loads
    return *a + *b <= *plan.memory_limit_mb;
  };
  // With one configuration loaded at a time, the mix runs in blocks long enough that loading
  // costs at most a tenth of a cycle's time.
  auto block_for = [&](const Mix& m) {
    if (both_fit(m) || m.dearer_share <= 0) return 1;
    const double call_s = std::max(1e-6, ((1 - m.dearer_share) * plan.options[m.cheaper].latency_ms +
                                          m.dearer_share * plan.options[m.dearer].latency_ms) / 1000.0);
    const double per_window = plan.rate_qps ? *plan.rate_qps * plan.window_s : plan.window_s / call_s;
    const double for_loads = 20 * load_time_s * m.dearer_share / (plan.rate_qps ? 1.0 / *plan.rate_qps : call_s);
    return std::max(1, static_cast<int>(std::lround(std::max(m.dearer_share * per_window, for_loads))));
  };
  // Loads spent per inference by a mix that cannot keep both loaded: two per cycle.
  auto load_overhead_j = [&](const Mix& m) {
    if (both_fit(m) || m.dearer_share <= 0) return 0.0;
    const double cycle = block_for(m) / m.dearer_share;
    return 2 * load_energy_j / cycle;
  };
  double reserve = plan.reserve;
  auto plan_for = [&](double remaining_j, int64_t remaining_n) -> std::optional<Mix> {
    const double per = remaining_j / static_cast<double>(remaining_n);
    auto m = plan_mix(live, per * (1 - reserve));
    if (m && load_overhead_j(*m) > 0) {
      if (auto fewer = plan_mix(live, per * (1 - reserve) - load_overhead_j(*m))) m = fewer;
    }
    if (!m) m = plan_mix(live, per);
    if (!m) m = cheapest_alone();
    return m;
  };
  // What the plan spends: the budget less a margin the end of the run may need, as the last
  // windows are planned from estimates the meter has not confirmed yet.
  const double steer_j = plan.budget_j * (1 - plan.margin);

  Mix mix = *plan_for(steer_j, plan.inferences);
  report.first_mix = mix;
  MixSchedule schedule;

  std::vector<bool> loaded(count, false);
  Window* window = nullptr;  // where a load's time is counted (none before the run starts)
  auto ensure_loaded = [&](size_t option, const Mix& m) {
    if (loaded[option]) return;
    for (size_t i = 0; i < count; ++i) {
      const bool keep = both_fit(m) && (i == m.cheaper || i == m.dearer);
      if (loaded[i] && !keep) {
        workload.unload(i);
        loaded[i] = false;
      }
    }
    const double t0 = clock.now_s();
    workload.load(option);
    const double took = clock.now_s() - t0;
    loaded[option] = true;
    load_time_s = load_time_s > 0 ? 0.5 * (load_time_s + took) : took;
    if (window) {
      report.usage[option].loads++;
      report.usage[option].load_s += took;
      window->loads[option]++;
      window->load_s[option] += took;
    }
  };
  ensure_loaded(mix.cheaper, mix);
  if (both_fit(mix)) ensure_loaded(mix.dearer, mix);
  schedule.set(mix, block_for(mix));

  const double start = clock.now_s();
  report.started_at_s = start;
  meter.sample_now();
  std::deque<Window> unread;
  Window current(count, start);
  window = &current;
  double read_j = 0;  // the meter's energy from the start to the last window read
  std::vector<bool> observed(count, false);

  // Time is known at once, energy only when the meter has read it: calls that took longer than
  // the option's live call time are counted as that many calls' worth of energy (a competing
  // load or a throttled clock shows in the clock a window before it shows in the meter).
  std::vector<double> live_call_s(count, 0);
  for (size_t i = 0; i < count; ++i) live_call_s[i] = plan.options[i].latency_ms / 1000.0;
  auto calls_worth = [&](size_t option, int64_t n, double busy_s) {
    const double by_count = static_cast<double>(n);
    return live_call_s[option] > 0 ? std::max(by_count, busy_s / live_call_s[option]) : by_count;
  };
  // Splits a read window's energy over the options by what each drew (stored power x time it
  // ran), the gaps between calls at a rate shared by the inferences, and folds each option's
  // cost per inference into its live estimate.
  auto attribute = [&](const Window& w, double energy_j) {
    const double span = w.t1 - w.t0;
    double busy = 0, loading = 0, total_w = 0;
    std::vector<double> weight(count, 0), load_weight(count, 0);
    for (size_t i = 0; i < count; ++i) {
      busy += w.busy_s[i];
      loading += w.load_s[i];
      weight[i] = active_weight(plan.options[i], w.busy_s[i], w.n[i]);
      load_weight[i] = stored_power_w(plan.options[i]) * w.load_s[i];
      total_w += weight[i] + load_weight[i];
    }
    // At a rate each inference owns the gap after it (1 / rate less its call): a quick
    // configuration idles longer. What idle time is left (waits after a load) is shared.
    const double idle_s = std::max(0.0, span - busy - loading);
    std::vector<double> own_idle_w(count, 0);
    double owned_s = 0;
    if (plan.rate_qps) {
      for (size_t i = 0; i < count; ++i) {
        const double own = std::max(0.0, static_cast<double>(w.n[i]) / *plan.rate_qps - w.busy_s[i]);
        own_idle_w[i] = plan.idle_power_w * own;
        owned_s += own;
        total_w += own_idle_w[i];
      }
    }
    const double idle_w = plan.idle_power_w * std::max(0.0, idle_s - owned_s);
    total_w += idle_w;
    const int64_t n = w.inferences();
    if (!(total_w > 0) || n == 0) return;
    int loads = 0;
    double load_j = 0;
    for (size_t i = 0; i < count; ++i) {
      loads += w.loads[i];
      load_j += energy_j * load_weight[i] / total_w;
      if (w.n[i] == 0) continue;
      const double drawn =
          energy_j * (weight[i] + own_idle_w[i] + idle_w * static_cast<double>(w.n[i]) / static_cast<double>(n)) / total_w;
      const double per = drawn / static_cast<double>(w.n[i]);
      // A window with few of its inferences says little about it: weighed by how many it ran.
      const double weight_new = observed[i] ? 0.5 * std::min(1.0, static_cast<double>(w.n[i]) / 10) : 1.0;
      live[i].energy_j += weight_new * (per - live[i].energy_j);
      const double call_s = w.busy_s[i] / static_cast<double>(w.n[i]);
      live_call_s[i] = live_call_s[i] > 0 && observed[i] ? live_call_s[i] + weight_new * (call_s - live_call_s[i]) : call_s;
      observed[i] = true;
      report.usage[i].live_energy_j = live[i].energy_j;
    }
    if (loads > 0) load_energy_j = load_energy_j > 0 ? 0.5 * (load_energy_j + load_j / loads) : load_j / loads;
    find_cheapest();
  };
  auto estimate = [&](const Window& w) {
    double j = 0;
    for (size_t i = 0; i < count; ++i) j += calls_worth(i, w.n[i], w.busy_s[i]) * live[i].energy_j + w.loads[i] * load_energy_j;
    return j;
  };
  // How far each window's energy read came from what the live figures predicted for it (once
  // every configuration in it has been read at least once: the stored figures' bias is corrected
  // by the re-estimate, not kept back): the reserve grows with it, as the plan for the rest is
  // only as good as those figures.
  double error_sq = 0, window_j = 0;
  int errors = 0;
  std::string unreadable;  // why the oldest unread window cannot be read, while it cannot
  auto read_windows = [&](double wait_s) {
    while (!unread.empty()) {
      const auto r = meter.energy_between(start, unread.front().t1, wait_s);
      if (!r.valid) {
        unreadable = r.why_invalid;
        break;
      }
      unreadable.clear();
      const double predicted = estimate(unread.front());
      bool known = true;
      for (size_t i = 0; i < count; ++i) known = known && (unread.front().n[i] == 0 || observed[i]);
      if (predicted > 0 && known) {
        const double e = (r.energy_j - read_j - predicted) / predicted;
        error_sq = errors == 0 ? e * e : 0.8 * error_sq + 0.2 * e * e;
        ++errors;
      }
      window_j = r.energy_j - read_j;
      attribute(unread.front(), r.energy_j - read_j);
      read_j = r.energy_j;
      unread.pop_front();
    }
  };

  const double meter_period_s = std::max(meter.info().update_period_s, 1e-3);
  double spent_at_boundary = 0, since_boundary_j = 0;  // the energy so far, as read and estimated
  // The last stretch of a run, shorter than the meter's lag (a window and two of its updates), is
  // spent on figures the meter will confirm only after it: a change of power there (a step, a
  // throttled clock) cannot be answered. A tenth of that stretch's energy, or twice the windows'
  // misprediction, is kept back for it.
  auto horizon_reserve_j = [&](int64_t remaining_n, double now) {
    const double horizon_s = std::max(plan.window_s, 10 * meter_period_s) + 2 * meter_period_s;
    const double done_n = static_cast<double>(plan.inferences - remaining_n);
    const double per_s = plan.rate_qps ? *plan.rate_qps : (now > start ? done_n / (now - start) : 0);
    const double horizon_n = std::min(static_cast<double>(remaining_n), per_s * horizon_s);
    const double u = std::max(0.1, errors > 0 ? 2 * std::sqrt(error_sq) : 0.25);
    return u * horizon_n * mix.energy_j;
  };
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(std::min<int64_t>(plan.inferences, 1 << 22)));
  size_t last_option = count;
  for (int64_t i = 0; i < plan.inferences; ++i) {
    if (stop && stop->load()) {
      report.status = RunStatus::kInterrupted;
      report.stop_reason = fmt::format("interrupted after {} of {} inferences", i, plan.inferences);
      break;
    }
    double scheduled = 0;
    if (plan.rate_qps) {
      scheduled = start + static_cast<double>(i) / *plan.rate_qps;
      clock.sleep_until(scheduled);
    }
    // The schedule's next pick, unless the dearer one would leave too little for the rest at the
    // cheaper one by the live figures: the last inferences of a run cannot overshoot on a share.
    size_t option = schedule.next();
    if (option != mix.cheaper) {
      const double after = static_cast<double>(plan.inferences - i - 1);
      // One loaded at a time: the dearer one's load, and the cheaper one's again after it.
      const double loads_j = (loaded[option] ? 0 : load_energy_j) + (both_fit(mix) || after == 0 ? 0 : load_energy_j);
      if (spent_at_boundary + since_boundary_j + loads_j + live[option].energy_j + after * live[mix.cheaper].energy_j >
          steer_j) {
        option = mix.cheaper;
      }
    }
    if (last_option != count && option != last_option) report.switches++;
    last_option = option;
    if (!loaded[option]) since_boundary_j += load_energy_j;
    ensure_loaded(option, mix);
    const double t0 = clock.now_s();
    const auto right = workload.infer(option, i);
    const double t1 = clock.now_s();
    if (!plan.rate_qps) scheduled = t0;
    auto& use = report.usage[option];
    use.inferences++;
    use.busy_s += t1 - t0;
    if (right) {
      use.labelled++;
      if (*right) use.correct++;
    }
    since_boundary_j += calls_worth(option, 1, t1 - t0) * live[option].energy_j;
    current.n[option]++;
    current.busy_s[option] += t1 - t0;
    const double latency_ms = (t1 - scheduled) * 1000.0;
    latencies_ms.push_back(latency_ms);
    if (plan.latency_limit_ms && latency_ms > *plan.latency_limit_ms) report.over_latency_limit++;
    report.inferences_done = i + 1;

    // A window ends after window_s, or sooner after a twentieth of the work (but never shorter
    // than ten of the meter's updates): a short run is re-planned too.
    const bool last = i + 1 == plan.inferences;
    // Near the end, windows shrink with the work left, so the last stretch, planned from
    // figures read a window late, is short.
    const int64_t left = plan.inferences - (i + 1);
    const int64_t by_work = std::max<int64_t>(1, std::min(plan.inferences / 20, left / 2));
    const bool long_enough = t1 - current.t0 >= 10 * meter_period_s &&
                             (t1 - current.t0 >= plan.window_s || current.inferences() >= by_work);
    if (!long_enough || last) continue;
    // At a rate a window closes when the next inference is due, so it holds each of its
    // inferences' own gap (1 / rate less the call).
    double boundary = t1;
    if (plan.rate_qps) {
      boundary = std::max(t1, start + static_cast<double>(i + 1) / *plan.rate_qps);
      clock.sleep_until(boundary);
    }
    current.t1 = boundary;
    unread.push_back(current);
    current = Window(count, boundary);
    meter.sample_now();
    read_windows(0);

    // What the meter has not covered yet (a log's lines arrive late, a counter steps slowly) is
    // counted at the live figures plus their uncertainty: the misprediction seen so far, or a
    // quarter before any window was read.
    const double unread_margin = errors > 0 ? std::min(0.5, std::max(0.05, 2 * std::sqrt(error_sq))) : 0.25;
    // A meter that stopped (a sensor gone, a log no longer growing or broken) cannot keep the
    // budget: stop rather than run on estimates.
    if (!unread.empty() && t1 - unread.front().t1 > std::max(2.0, 20 * meter_period_s)) {
      report.status = RunStatus::kStopped;
      report.stop_reason = fmt::format(
          "after {} of {} inferences the meter has not covered the last {:.1f} s ({}): stopped, as the budget "
          "cannot be kept without it; check the meter and run again",
          i + 1, plan.inferences, t1 - unread.front().t0, unreadable.empty() ? "no reading" : unreadable);
      say(report.stop_reason);
      break;
    }
    double spent = read_j;
    for (const auto& w : unread) spent += (1 + unread_margin) * estimate(w);
    spent_at_boundary = spent;
    since_boundary_j = 0;
    // One window's worth of that error, as a share of the budget left (the per-inference check
    // below guards the last inferences themselves).
    const double remaining_j = plan.budget_j - spent;
    reserve = remaining_j > 0 ? std::min(0.3, std::max(plan.reserve, std::sqrt(error_sq) * window_j / remaining_j))
                              : plan.reserve;
    const int64_t remaining_n = plan.inferences - (i + 1);
    const double needed =
        live[cheapest].energy_j * static_cast<double>(remaining_n) + (loaded[cheapest] ? 0 : load_energy_j);
    if (report.degraded) {
      mix = cheapest_alone();
    } else if (remaining_j < needed) {
      const std::string why = fmt::format(
          "after {} of {} inferences {:.4g} J of the {:.4g} J budget is left, and the other {} need {:.4g} J even at "
          "the cheapest configuration ({} now costs {:.4g} J per inference on this device)",
          i + 1, plan.inferences, std::max(0.0, remaining_j), plan.budget_j, remaining_n, needed,
          plan.options[cheapest].label, live[cheapest].energy_j);
      if (!plan.degrade) {
        report.status = RunStatus::kStopped;
        report.stop_reason = why + ": stopped (--degrade goes on at the cheapest configuration instead)";
        say(report.stop_reason);
        break;
      }
      report.degraded = true;
      report.degraded_at = why;
      say(why + ": going on at the cheapest configuration (--degrade)");
      mix = cheapest_alone();
    } else if (auto next = plan_for(std::max(0.0, steer_j - spent - horizon_reserve_j(remaining_n, t1)), remaining_n)) {
      if (next->cheaper != mix.cheaper || next->dearer != mix.dearer) {
        const auto label = [&](const Mix& m) {
          return m.cheaper == m.dearer ? plan.options[m.cheaper].label
                                       : plan.options[m.cheaper].label + " + " + plan.options[m.dearer].label;
        };
        say(fmt::format("after {} inferences: now {} (was {}), from the budget left and the costs read", i + 1,
                        label(*next), label(mix)));
      }
      mix = *next;
      report.replans++;
    }
    schedule.set(mix, block_for(mix));
    report.trace.push_back({i + 1, boundary - start, spent, reserve, mix});
    RunProgress progress;
    progress.done = i + 1;
    progress.total = plan.inferences;
    progress.spent_j = spent;
    progress.budget_j = plan.budget_j;
    progress.mix = mix;
    progress.degraded = report.degraded;
    listener.on_progress(progress);
  }
  window = nullptr;
  const double end = clock.now_s();
  report.ended_at_s = end;
  if (report.status == RunStatus::kCompleted && report.replans == 0 && !report.degraded) {
    say(fmt::format("the run ended before its first re-plan ({:.3g} s; a window lasts {:g} s, or a twentieth of the "
                    "work and at least ten of the meter's updates): nothing steered it, so only the stored figures "
                    "kept it within the budget",
                    end - start, plan.window_s));
  }
  meter.sample_now();
  const auto total = meter.energy_between(start, end, std::max(1.0, 3 * meter.info().update_period_s));
  if (total.valid) {
    report.energy_j = total.energy_j;
  } else {
    report.energy_why_invalid = total.why_invalid;
  }
  if (!latencies_ms.empty()) {
    std::sort(latencies_ms.begin(), latencies_ms.end());
    report.latency_ms_p99 = percentile(latencies_ms, 0.99);
  }
  return report;
}

}  // namespace edgejoule
