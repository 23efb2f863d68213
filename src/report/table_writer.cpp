#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "report/writers.h"

namespace edgejoule {
namespace {

std::string num(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

}  // namespace

void write_table(std::ostream& out, const std::vector<ResultRow>& rows) {
  if (rows.empty()) {
    out << "no points stored yet: run 'edgejoule profile'\n";
    return;
  }
  const std::vector<std::string> header = {"model",  "engine",    "device", "prec",   "batch",
                                           "threads", "p50_ms",   "p99_ms", "cv_%",   "samples/s",
                                           "mJ/inf", "W",         "top1_%", "acc/J",  "status"};
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> notes;
  std::set<std::string> accuracy_sources;
  std::set<std::string> energy_sources;
  for (const auto& r : rows) {
    std::string status = r.status;
    if (!r.reason.empty()) {
      notes.push_back(fmt::format("[{}] {} {} {} b{} t{}: {}", notes.size() + 1, r.model, r.engine,
                                  r.device, r.batch, r.threads, r.reason));
      status += fmt::format(" [{}]", notes.size());
    }
    std::string top1 = num(r.top1, 1);
    if (r.top1) {
      top1 += r.accuracy_source.rfind("declared:", 0) == 0 ? " d" : " m";
      // Group by origin ("declared:torchvision-0.14.1"); the full source is in --json.
      const auto last_colon = r.accuracy_source.rfind(':');
      accuracy_sources.insert(last_colon > r.accuracy_source.find(':')
                                  ? r.accuracy_source.substr(0, last_colon)
                                  : r.accuracy_source);
    }
    std::string energy = "-";
    if (r.energy_j_per_inference) {
      energy = fmt::format("{:.3f} {}", *r.energy_j_per_inference * 1e3,
                           r.energy_provenance.rfind("estimated:", 0) == 0 ? "e" : "m");
      energy_sources.insert(r.energy_provenance + " (" + r.meter + ")");
    }
    const std::optional<double> cv_pct =
        r.window_latency_ms_cv ? std::optional<double>(*r.window_latency_ms_cv * 100) : std::nullopt;
    cells.push_back({r.model, r.engine, r.device, r.precision, std::to_string(r.batch),
                     std::to_string(r.threads), num(r.latency_ms_p50, 3), num(r.latency_ms_p99, 3),
                     num(cv_pct, 1), num(r.throughput_sps, 1), energy, num(r.mean_power_w, 2), top1,
                     r.accuracy_per_joule ? fmt::format("{:.3g}", *r.accuracy_per_joule) : "-", status});
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
  }
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      // Text left-aligned, numbers right-aligned.
      const bool left = c <= 3 || c == row.size() - 1;
      line += left ? fmt::format("{:<{}}", row[c], width[c]) : fmt::format("{:>{}}", row[c], width[c]);
      if (c + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  emit(header);
  for (const auto& row : cells) emit(row);
  out << "latency is per forward call of `batch` samples; cv_% is the window-to-window spread;\n"
         "mJ/inf is energy per inference (one sample), W the mean power during the windows\n";
  if (!energy_sources.empty()) {
    out << "mJ/inf: m = measured, e = ESTIMATED; from";
    for (const auto& s : energy_sources) out << ' ' << s;
    out << '\n';
  }
  if (!accuracy_sources.empty()) {
    out << "top1_%: d = declared, m = measured; from";
    for (const auto& s : accuracy_sources) out << ' ' << s;
    out << " (per-model source in --json); acc/J = top-1 accuracy / joules per inference\n";
  }
  for (const auto& n : notes) out << n << '\n';
}

}  // namespace edgejoule
