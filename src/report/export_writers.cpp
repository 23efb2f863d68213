// CSV and Markdown exports: one flat column list over the result row, so both (and any later
// format) carry the same fields with the same names and units.

#include <functional>

#include <fmt/format.h>

#include "report/writers.h"

namespace edgejoule {
namespace {

struct Column {
  const char* name;
  std::function<std::string(const ResultRow&)> value;
};

std::string num(const std::optional<double>& v) { return v ? fmt::format("{:.9g}", *v) : ""; }
std::string integer(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {
      {"point_id", [](const ResultRow& r) { return std::to_string(r.point_id); }},
      {"model", [](const ResultRow& r) { return r.model; }},
      {"family", [](const ResultRow& r) { return r.family; }},
      {"params", [](const ResultRow& r) { return integer(r.params); }},
      {"flops", [](const ResultRow& r) { return integer(r.flops); }},
      {"engine", [](const ResultRow& r) { return r.engine; }},
      {"device", [](const ResultRow& r) { return r.device; }},
      {"precision", [](const ResultRow& r) { return r.precision; }},
      {"batch", [](const ResultRow& r) { return std::to_string(r.batch); }},
      {"threads", [](const ResultRow& r) { return std::to_string(r.threads); }},
      {"platform", [](const ResultRow& r) { return r.platform; }},
      {"engine_version", [](const ResultRow& r) { return r.engine_version; }},
      {"hostname", [](const ResultRow& r) { return r.hostname; }},
      {"status", [](const ResultRow& r) { return std::string(to_string(r.status)); }},
      {"reason", [](const ResultRow& r) { return r.reason; }},
      {"latency_ms_p50", [](const ResultRow& r) { return num(r.latency_ms_p50); }},
      {"latency_ms_p90", [](const ResultRow& r) { return num(r.latency_ms_p90); }},
      {"latency_ms_p99", [](const ResultRow& r) { return num(r.latency_ms_p99); }},
      {"throughput_sps", [](const ResultRow& r) { return num(r.throughput_sps); }},
      {"energy_j_per_inference", [](const ResultRow& r) { return num(r.energy_j_per_inference); }},
      {"energy_j_per_inference_ci95", [](const ResultRow& r) { return num(r.energy_j_per_inference_ci95); }},
      {"mean_power_w", [](const ResultRow& r) { return num(r.mean_power_w); }},
      {"idle_power_w", [](const ResultRow& r) { return num(r.idle_power_w); }},
      {"energy_provenance", [](const ResultRow& r) { return r.energy_provenance; }},
      {"meter", [](const ResultRow& r) { return r.meter; }},
      {"top1", [](const ResultRow& r) { return num(r.top1); }},
      {"top5", [](const ResultRow& r) { return num(r.top5); }},
      {"accuracy_provenance", [](const ResultRow& r) { return r.accuracy_source; }},
      {"accuracy_dataset", [](const ResultRow& r) { return r.accuracy_dataset; }},
      {"accuracy_per_joule", [](const ResultRow& r) { return num(r.accuracy_per_joule); }},
      {"peak_rss_mb", [](const ResultRow& r) { return num(r.peak_rss_mb); }},
  };
  return kColumns;
}

// The fixed columns with one column per configuration field after `threads` (the table's order).
const std::vector<Column>& all_columns() {
  static const std::vector<Column> kAll = [] {
    std::vector<Column> out;
    for (const auto& c : columns()) {
      out.push_back(c);
      if (std::string(c.name) != "threads") continue;
      for (const auto& field : config_fields()) {
        const std::string name = field.name;
        out.push_back({field.name.c_str(), [name](const ResultRow& r) { return knob_value(r.knobs, name); }});
      }
    }
    return out;
  }();
  return kAll;
}

// RFC 4180: quote fields holding a comma, quote or line break; double the quotes.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string md_field(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

void write_csv(std::ostream& out, const std::vector<ResultRow>& rows) {
  const auto& cols = all_columns();
  for (size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << cols[i].name;
  out << "\r\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << csv_field(cols[i].value(r));
    out << "\r\n";
  }
}

void write_markdown(std::ostream& out, const std::vector<ResultRow>& rows) {
  const auto& cols = all_columns();
  out << "|";
  for (const auto& c : cols) out << " " << c.name << " |";
  out << "\n|";
  for (size_t i = 0; i < cols.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& r : rows) {
    out << "|";
    for (const auto& c : cols) out << " " << md_field(c.value(r)) << " |";
    out << "\n";
  }
}

}  // namespace edgejoule
