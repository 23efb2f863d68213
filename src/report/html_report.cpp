#include "report/html_report.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "report/report_assets.h"

namespace edgejoule {
namespace {

using nlohmann::json;

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON inside <script>: "</" would end the element, so it is written as "<\/".
std::string script_json(const json& j) {
  std::string s = j.dump();
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// One flat record per point for the charts and the table.
// A point as the charts read it: the flat fields of the one row schema (core/result_row.h), by
// the same names as the CSV columns, plus a few display fields derived from them (the
// configuration label, the groupings, energy in mJ, the cost model's fit).
json datum(const ResultRow& r, const std::optional<double>& predicted_energy_j = std::nullopt) {
  json d = json::object();
  for (const auto& field : row_fields()) {
    if (field.flat) d[field.name] = field.value(r);
  }
  d["family_label"] = r.family.empty() ? "(none)" : r.family;
  d["config"] = configuration_label(r);
  d["engine_precision"] = r.engine + "/" + numeric_variant(r);
  d["engine_device"] = r.engine + "/" + r.device;
  d["energy_mj"] = r.energy_j_per_inference ? json(*r.energy_j_per_inference * 1e3) : json(nullptr);
  d["energy_ci95_mj"] = r.energy_j_per_inference_ci95 ? json(*r.energy_j_per_inference_ci95 * 1e3) : json(nullptr);
  d["predicted_energy_mj"] = predicted_energy_j ? json(*predicted_energy_j * 1e3) : json(nullptr);
  return d;
}

json tooltip() {
  return json::array({{{"field", "model"}},
                      {{"field", "config"}},
                      {{"field", "hostname"}},
                      {{"field", "energy_mj"}, {"title", "energy mJ/inference"}, {"format", ".4g"}},
                      {{"field", "energy_ci95_mj"}, {"title", "± 95% CI mJ"}, {"format", ".2g"}},
                      {{"field", "energy_provenance"}, {"title", "energy provenance"}},
                      {{"field", "top1"}, {"title", "top-1 %"}, {"format", ".2f"}},
                      {{"field", "accuracy_provenance"}, {"title", "accuracy provenance"}},
                      {{"field", "latency_ms_p50"}, {"title", "p50 ms"}, {"format", ".3g"}},
                      {{"field", "latency_ms_p99"}, {"title", "p99 ms"}, {"format", ".3g"}},
                      {{"field", "accuracy_per_joule"}, {"title", "accuracy/J"}, {"format", ".3g"}}});
}

const json kWidth = 640;
const json kHeight = 360;

json accuracy_energy_spec(const json& points, const json& frontier, const std::optional<double>& budget_j,
                          const json& chosen) {
  json layers = json::array();
  layers.push_back({{"name", "points"},
                    {"data", {{"values", points}}},
                    {"mark", {{"type", "point"}, {"filled", true}, {"size", 70}, {"opacity", 0.85}}},
                    {"encoding",
                     {{"x", {{"field", "energy_mj"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                             {"title", "energy per inference (mJ, log scale)"}}},
                      {"y", {{"field", "top1"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                             {"title", "top-1 accuracy (%)"}}},
                      {"color", {{"field", "family_label"}, {"type", "nominal"}, {"title", "family"}}},
                      {"shape", {{"field", "engine_precision"}, {"type", "nominal"}, {"title", "engine/precision"}}},
                      {"tooltip", tooltip()}}}});
  layers.push_back({{"name", "frontier"},
                    {"data", {{"values", frontier}}},
                    {"mark", {{"type", "line"}, {"color", "#333"}, {"strokeDash", {4, 3}}, {"interpolate", "step-after"}}},
                    {"encoding",
                     {{"x", {{"field", "energy_mj"}, {"type", "quantitative"}}},
                      {"y", {{"field", "top1"}, {"type", "quantitative"}}}}}});
  if (budget_j) {
    layers.push_back({{"name", "budget"},
                      {"data", {{"values", json::array({{{"budget_mj", *budget_j * 1e3}}})}}},
                      {"mark", {{"type", "rule"}, {"color", "#c0392b"}, {"strokeWidth", 2}}},
                      {"encoding", {{"x", {{"field", "budget_mj"}, {"type", "quantitative"}}}}}});
  }
  if (!chosen.is_null()) {
    layers.push_back({{"name", "recommended"},
                      {"data", {{"values", json::array({chosen})}}},
                      {"mark", {{"type", "point"}, {"shape", "circle"}, {"size", 400}, {"filled", false},
                                {"color", "#c0392b"}, {"strokeWidth", 3}}},
                      {"encoding",
                       {{"x", {{"field", "energy_mj"}, {"type", "quantitative"}}},
                        {"y", {{"field", "top1"}, {"type", "quantitative"}}},
                        {"tooltip", tooltip()}}}});
  }
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"width", kWidth},
          {"height", kHeight},
          {"layer", layers}};
}

// Energy per inference against the arrival rate: a line per frontier point (derived from its
// back-to-back figures and the idle power), measured server points as marks.
json energy_at_rate_spec(const json& derived, const json& measured) {
  const json x = {{"field", "rate_qps"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                  {"title", "arrival rate (inferences/s, log scale)"}};
  const json y = {{"field", "energy_mj"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                  {"title", "energy per inference (mJ, log scale)"}};
  const json color = {{"field", "label"}, {"type", "nominal"}, {"title", "frontier point"}};
  json tip = json::array({{{"field", "label"}}, {{"field", "rate_qps"}, {"format", ".3g"}},
                          {{"field", "energy_mj"}, {"format", ".4g"}}, {{"field", "provenance"}}});
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"width", kWidth},
          {"height", kHeight},
          {"layer",
           json::array({{{"name", "curves"},
                         {"data", {{"values", derived}}},
                         {"mark", {{"type", "line"}, {"strokeDash", {4, 3}}}},
                         {"encoding", {{"x", x}, {"y", y}, {"color", color}, {"tooltip", tip}}}},
                        {{"name", "points"},
                         {"data", {{"values", measured}}},
                         {"mark", {{"type", "point"}, {"filled", true}, {"size", 90}}},
                         {"encoding", {{"x", x}, {"y", y}, {"color", color}, {"tooltip", tip}}}}})}};
}

json latency_energy_spec(const json& points) {
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"width", kWidth},
          {"height", kHeight},
          {"data", {{"values", points}}},
          {"layer",
           json::array({{{"name", "whiskers"},
                         {"mark", {{"type", "rule"}, {"opacity", 0.6}}},
                         {"encoding",
                          {{"x", {{"field", "energy_mj"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                                  {"title", "energy per inference (mJ, log scale)"}}},
                           {"y", {{"field", "latency_ms_p50"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                                  {"title", "latency per call (ms, log): p50, whisker to p99"}}},
                           {"y2", {{"field", "latency_ms_p99"}}},
                           {"color", {{"field", "family_label"}, {"type", "nominal"}}}}}},
                        {{"name", "points"},
                         {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}}},
                         {"encoding",
                          {{"x", {{"field", "energy_mj"}, {"type", "quantitative"}}},
                           {"y", {{"field", "latency_ms_p50"}, {"type", "quantitative"}}},
                           {"color", {{"field", "family_label"}, {"type", "nominal"}, {"title", "family"}}},
                           {"shape", {{"field", "engine_precision"}, {"type", "nominal"}, {"title", "engine/precision"}}},
                           {"tooltip", tooltip()}}}}})}};
}

json accuracy_per_joule_spec(const json& points) {
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"width", kWidth},
          {"data", {{"values", points}}},
          {"transform", json::array({{{"calculate", "datum.model + ' ' + datum.config"}, {"as", "point"}}})},
          {"layer",
           json::array({{{"name", "points"},
                         {"mark", {{"type", "bar"}}},
                         {"encoding",
                          {{"y", {{"field", "point"}, {"type", "nominal"}, {"sort", "-x"}, {"title", nullptr},
                                  {"axis", {{"labelLimit", 360}}}}},
                           {"x", {{"field", "accuracy_per_joule"}, {"type", "quantitative"},
                                  {"title", "accuracy per joule (top-1 fraction / J per inference)"}}},
                           {"color", {{"field", "family_label"}, {"type", "nominal"}}},
                           {"tooltip", tooltip()}}}}})}};
}

json marginal_cost_spec(const json& steps) {
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"width", kWidth},
          {"height", 260},
          {"data", {{"values", steps}}},
          {"layer",
           json::array({{{"name", "steps"},
                         {"mark", {{"type", "bar"}}},
                         {"encoding",
                          {{"x", {{"field", "step"}, {"type", "nominal"}, {"sort", nullptr},
                                  {"axis", {{"labelAngle", -20}, {"labelLimit", 320}}},
                                  {"title", "step up the frontier (to this point)"}}},
                           {"y", {{"field", "mj_per_point"}, {"type", "quantitative"},
                                  {"title", "extra mJ per inference per accuracy point"}}},
                           {"tooltip",
                            json::array({{{"field", "step"}},
                                         {{"field", "mj_per_point"}, {"title", "mJ per point"}, {"format", ".4g"}},
                                         {{"field", "extra_mj"}, {"title", "extra mJ"}, {"format", ".4g"}},
                                         {{"field", "extra_points"}, {"title", "extra points"}, {"format", ".2f"}}})}}}}})}};
}

json energy_flops_spec(const json& points, bool with_fit) {
  json layers = json::array();
  layers.push_back({{"name", "points"},
                    {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}}},
                    {"encoding",
                     {{"x", {{"field", "flops"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                             {"title", "FLOPs per sample (log)"}}},
                      {"y", {{"field", "energy_mj"}, {"type", "quantitative"}, {"scale", {{"type", "log"}}},
                             {"title", "energy per inference (mJ, log)"}}},
                      {"color", {{"field", "engine_device"}, {"type", "nominal"}, {"title", "engine/device"}}},
                      {"tooltip", tooltip()}}}});
  if (with_fit) {
    layers.push_back({{"name", "fit"},
                      {"mark", {{"type", "point"}, {"shape", "cross"}, {"size", 60}, {"color", "#555"}}},
                      {"encoding",
                       {{"x", {{"field", "flops"}, {"type", "quantitative"}}},
                        {"y", {{"field", "predicted_energy_mj"}, {"type", "quantitative"}}},
                        {"tooltip",
                         json::array({{{"field", "model"}},
                                      {{"field", "config"}},
                                      {{"field", "predicted_energy_mj"}, {"title", "fitted mJ"}, {"format", ".4g"}}})}}}});
  }
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"width", kWidth},
          {"height", kHeight},
          {"data", {{"values", points}}},
          {"layer", layers}};
}

const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #555; } .note { background: #fff8e1; padding: 0.5em 1em; border-left: 4px solid #f0b400; }
table { border-collapse: collapse; font-size: 0.85em; width: 100%; }
th, td { border-bottom: 1px solid #eee; padding: 3px 6px; text-align: right; }
th { cursor: pointer; background: #f5f5f5; position: sticky; top: 0; }
td.t, th.t { text-align: left; }
dl.legend dt { font-weight: bold; } .invalid { color: #a00; }
)css";

// Sorts the points table by a column when its header is clicked (numbers as numbers).
const char* kTableScript = R"js(
document.querySelectorAll('table.sortable th').forEach((th, col) => {
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const asc = th.dataset.dir !== 'asc';
    th.dataset.dir = asc ? 'asc' : 'desc';
    const key = tr => { const v = tr.cells[col].dataset.v ?? tr.cells[col].textContent; const n = parseFloat(v);
                        return isNaN(n) ? v : n; };
    [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); }).forEach(r => body.appendChild(r));
  });
});
)js";

// The budget sliders: each position shows its stop's single pick and mix. Each slider is also
// moved to its ends and middle once, and what it showed is kept for the render check.
const char* kSliderScript = R"js(
const sliderCheck = {};
const esc = t => String(t).replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
const fmtMj = v => v.toPrecision(4) + ' mJ';
function showStop(slider) {
  const stops = JSON.parse(document.getElementById(slider.id + '-stops').textContent);
  const s = stops[Number(slider.value)];
  let html = '<b>Budget ' + fmtMj(s.mj) + ' per inference.</b> ';
  html += s.pick ? 'Single pick: ' + esc(s.pick.label) + ', top-1 ' + s.pick.top1.toFixed(2) + ' % for ' +
                   fmtMj(s.pick.mj) + ' (' + (100 * s.pick.mj / s.mj).toFixed(1) + ' % of the budget). '
                 : 'Single pick: nothing fits. ';
  if (!s.mix) html += 'Mix: none fits.';
  else if (s.mix.single) html += 'Mix: ' + esc(s.mix.cheaper.label) + ' alone, top-1 ' + s.mix.top1.toFixed(2) + ' %.';
  else html += 'Mix: ' + (100 * (1 - s.mix.share)).toFixed(1) + ' % ' + esc(s.mix.cheaper.label) + ' + ' +
               (100 * s.mix.share).toFixed(1) + ' % ' + esc(s.mix.dearer.label) + ', expected top-1 ' +
               s.mix.top1.toFixed(2) + ' % for ' + fmtMj(s.mix.mj) + '.';
  document.getElementById(slider.id + '-out').innerHTML = html;
  return document.getElementById(slider.id + '-out').textContent;
}
document.querySelectorAll('input.budget-slider').forEach(slider => {
  slider.addEventListener('input', () => showStop(slider));
  const start = slider.value, seen = [];
  for (const v of [slider.min, Math.round((Number(slider.min) + Number(slider.max)) / 2), slider.max]) {
    slider.value = v;
    slider.dispatchEvent(new Event('input'));
    seen.push(document.getElementById(slider.id + '-out').textContent);
  }
  slider.value = start;
  showStop(slider);
  sliderCheck[slider.id] = {stops: Number(slider.max) + 1, shown: seen};
});
)js";

// Renders every chart and records, per chart, how many marks its "points"/"steps" layer drew.
const char* kRenderScript = R"js(
const check = {charts: {}, errors: []};
window.addEventListener('error', e => check.errors.push(String(e.message)));
const consoleError = console.error;
console.error = (...args) => { check.errors.push(args.map(String).join(' ')); consoleError(...args); };
function countMarks(node, names) {
  let n = 0;
  if (!node) return 0;
  if (node.marktype && names.includes(node.name)) n += (node.items || []).length;
  for (const item of node.items || []) {
    if (item && item.items) n += countMarks(item, names);
  }
  return n;
}
function publish() {
  check.sliders = sliderCheck;
  document.getElementById('edgejoule-render-check').textContent = JSON.stringify(check);
}
Promise.all(CHARTS.map(c =>
  vegaEmbed('#' + c.id, c.spec, {actions: false, renderer: 'svg'}).then(result => {
    const root = result.view.scenegraph().root;
    check.charts[c.id] = {expected: c.expected, rendered: countMarks(root, ['points_marks', 'steps_marks']),
                          kind: c.kind};
  }).catch(e => check.errors.push(c.id + ': ' + e))
)).then(publish, e => { check.errors.push(String(e)); publish(); });
)js";

// The budget slider: each stop's static pick and mix, computed by the recommender
// (DatasetFigures::budget_stops) and only looked up here as the slider moves.
std::string budget_slider(const DatasetFigures& figures, int section) {
  if (figures.budget_stops.empty()) return "";
  const auto& cs = figures.candidates;
  auto point = [&](size_t i) {
    return json{{"label", cs[i].row.model + " " + configuration_label(cs[i].row)},
                {"top1", cs[i].top1},
                {"mj", cs[i].budget_energy_j() * 1e3}};
  };
  json stops = json::array();
  for (const auto& s : figures.budget_stops) {
    json stop = {{"mj", s.budget_j * 1e3}, {"pick", nullptr}, {"mix", nullptr}};
    if (s.pick) stop["pick"] = point(*s.pick);
    if (s.mix) {
      stop["mix"] = {{"cheaper", point(s.mix->cheaper)},
                     {"dearer", point(s.mix->dearer)},
                     {"share", s.mix->dearer_share},
                     {"top1", s.mix->top1},
                     {"mj", s.mix->energy_j * 1e3},
                     {"single", s.mix->cheaper == s.mix->dearer}};
    }
    stops.push_back(stop);
  }
  const std::string id = fmt::format("budget-slider-{}", section);
  return fmt::format(
      "<h3>Budget per inference: the single pick and the mix ({})</h3>\n"
      "<p>Drag to set a budget per inference. The single pick is the most accurate point within it; the mix shares "
      "the inferences between two frontier points so that they spend the budget exactly in expectation "
      "(<code>recommend --mix</code>; <code>edgejoule run</code> keeps it within the budget with the meter).</p>\n"
      "<input type=\"range\" class=\"budget-slider\" id=\"{}\" min=\"0\" max=\"{}\" value=\"{}\" step=\"1\" "
      "style=\"width:100%\" aria-label=\"budget per inference\">\n"
      "<p class=\"budget-out\" id=\"{}-out\"></p>\n"
      "<script type=\"application/json\" id=\"{}-stops\">{}</script>\n",
      html_escape(figures.dataset.empty() ? "(dataset not named)" : figures.dataset), id, stops.size() - 1,
      stops.size() / 2, id, id, script_json(stops));
}

// A fleet store's device types side by side: each one's own choice for the budget (or its most
// accurate point), so the reader sees which device + model + configuration fits.
std::string device_type_table(const DatasetFigures& figures, const std::optional<double>& budget_j) {
  if (figures.by_device_type.empty()) return "";
  std::string out = fmt::format(
      "<h3>Per device type ({})</h3>\n<p>Each device type on its own: {}.</p>\n<table class=\"sortable\" "
      "id=\"device-types\"><thead><tr><th>device type</th><th>hosts</th><th>points</th><th>choice</th>"
      "<th>host</th><th>top-1 %</th><th>mJ/inf</th><th>p99 ms</th><th>budget use %</th></tr></thead><tbody>\n",
      figures.by_device_type.size(),
      budget_j ? fmt::format("the most accurate point within {:.4g} mJ per inference", *budget_j * 1e3)
               : std::string("its most accurate point (no budget given)"));
  for (const auto& g : figures.by_device_type) {
    const Recommendation& rec = g.recommendation;
    std::string cells;
    if (rec.chosen) {
      const Candidate& c = figures.candidates[*rec.chosen];
      cells = fmt::format("<td>{} {}</td><td>{}</td><td>{:.2f}</td><td>{:.4g}</td><td>{}</td><td>{}</td>",
                          html_escape(c.row.model), html_escape(configuration_label(c.row)),
                          html_escape(c.row.hostname), c.top1, c.energy_j_per_inference * 1e3,
                          c.latency_ms_p99 ? fmt::format("{:.3g}", *c.latency_ms_p99) : "-",
                          rec.budget_use ? fmt::format("{:.1f}", *rec.budget_use * 100) : "-");
    } else {
      std::string cheapest;
      if (rec.cheapest) {
        const Candidate& c = figures.candidates[*rec.cheapest];
        cheapest = fmt::format("; cheapest {} {} needs {:.4g} mJ", html_escape(c.row.model),
                               html_escape(configuration_label(c.row)), c.budget_energy_j() * 1e3);
      }
      cells = "<td colspan=\"6\">nothing fits" + cheapest + "</td>";
    }
    std::string hosts;
    for (const auto& h : g.hosts) hosts += (hosts.empty() ? "" : ", ") + html_escape(h);
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td>{}</tr>\n", html_escape(g.group), hosts, g.members.size(),
                       cells);
  }
  return out + "</tbody></table>\n";
}

}  // namespace

std::string render_html_report(const ReportInput& input) {
  const ReportFigures& figures = input.figures;
  const std::optional<TrainedPredictor>& predictor = figures.fit;

  json latency_points = json::array();
  json flops_points = json::array();
  for (size_t i = 0; i < figures.cost_rows.size(); ++i) {
    const ResultRow& r = figures.cost_rows[i];
    const json d = datum(r, figures.fitted_energy_j[i]);
    if (r.latency_ms_p50 && r.latency_ms_p99) latency_points.push_back(d);
    if (r.flops && *r.flops > 0) flops_points.push_back(d);
  }

  json charts = json::array();
  std::string body;
  auto chart = [&](const std::string& id, const json& spec, size_t expected, const std::string& kind) {
    charts.push_back({{"id", id}, {"spec", spec}, {"expected", expected}, {"kind", kind}});
    body += fmt::format("<div id=\"{}\" class=\"chart\"></div>\n", id);
  };

  int section = 0;
  for (const DatasetFigures& dataset_figures : figures.datasets) {
    ++section;
    const std::string& dataset = dataset_figures.dataset;
    const std::vector<Candidate>& cs = dataset_figures.candidates;
    json points = json::array();
    for (const auto& c : cs) points.push_back(datum(c.row));
    const auto& frontier = dataset_figures.frontier;
    json frontier_points = json::array();
    json steps = json::array();
    for (size_t i = 0; i < frontier.size(); ++i) {
      const Candidate& c = cs[frontier[i].index];
      frontier_points.push_back(datum(c.row));
      if (i > 0) {
        const Candidate& prev = cs[frontier[i - 1].index];
        steps.push_back({{"step", fmt::format("{}. {} {}", i, c.row.model, configuration_label(c.row))},
                         {"mj_per_point", *frontier[i].marginal_x_per_accuracy_point * 1e3},
                         {"extra_mj", (c.energy_j_per_inference - prev.energy_j_per_inference) * 1e3},
                         {"extra_points", c.top1 - prev.top1}});
      }
    }
    json chosen = nullptr;
    std::string recommendation;
    if (input.budget_j && dataset_figures.recommendation) {
      const Recommendation& rec = *dataset_figures.recommendation;
      if (rec.chosen) {
        const Candidate& c = cs[*rec.chosen];
        chosen = datum(c.row);
        recommendation = fmt::format(
            "<p><b>Recommended for {:.4g} mJ per inference:</b> {} {} on {} — top-1 {:.2f} % ({}), {:.4g} mJ per "
            "inference ({}), {:.1f} % of the budget.</p>\n",
            *input.budget_j * 1e3, html_escape(c.row.model), html_escape(configuration_label(c.row)),
            html_escape(c.row.hostname), c.top1, html_escape(c.row.accuracy_source), c.energy_j_per_inference * 1e3,
            html_escape(c.row.energy_provenance), *rec.budget_use * 100);
      } else {
        recommendation = fmt::format("<p class=\"note\">Nothing on {} fits {:.4g} mJ per inference.</p>\n",
                                     html_escape(dataset), *input.budget_j * 1e3);
      }
    }
    const std::string name = dataset.empty() ? "(dataset not named)" : dataset;
    body += fmt::format("<h2>Accuracy on {} vs energy ({} points)</h2>\n", html_escape(name), cs.size());
    body += recommendation;
    body += device_type_table(dataset_figures, input.budget_j);
    body += "<p>Each point is one model in one configuration; the dashed line is the Pareto frontier "
            "(no other point is both cheaper and more accurate).</p>\n";
    chart(fmt::format("accuracy-energy-{}", section), accuracy_energy_spec(points, frontier_points, input.budget_j, chosen),
          cs.size(), "accuracy vs energy");
    body += budget_slider(dataset_figures, section);
    body += fmt::format("<h3>Accuracy per joule, ranked ({})</h3>\n", html_escape(name));
    chart(fmt::format("accuracy-per-joule-{}", section), accuracy_per_joule_spec(points), cs.size(),
          "accuracy per joule");
    json derived = json::array(), measured = json::array();
    for (const auto& p : dataset_figures.energy_at_rate) {
      (p.measured ? measured : derived)
          .push_back({{"label", p.label}, {"rate_qps", p.rate_qps}, {"energy_mj", p.energy_j * 1e3},
                      {"provenance", p.measured ? "measured (server scenario)" : "derived:rate"}});
    }
    if (!dataset_figures.energy_at_rate.empty()) {
      body += fmt::format("<h3>Energy per inference at an arrival rate, frontier points ({})</h3>\n", html_escape(name));
      body += "<p>Dashed: derived from each point's back-to-back figures, energy above idle + idle power / rate, up to "
              "its throughput (at a low rate the idle power dominates). Marks: server points measured at that rate "
              "(<code>--scenario server --rate R</code>).</p>\n";
      chart(fmt::format("energy-at-rate-{}", section), energy_at_rate_spec(derived, measured), measured.size(),
            "energy at a rate");
    }
    body += fmt::format("<h3>What the next accuracy point costs along the frontier ({})</h3>\n", html_escape(name));
    if (steps.empty()) {
      body += "<p>The frontier has a single point: no step to price.</p>\n";
    } else {
      chart(fmt::format("marginal-cost-{}", section), marginal_cost_spec(steps), steps.size(), "marginal cost");
    }
  }

  body += "<h2>Latency vs energy</h2>\n<p>Latency per forward call of the batch: the point is p50, the whisker "
          "reaches p99.</p>\n";
  chart("latency-energy", latency_energy_spec(latency_points), latency_points.size(), "latency vs energy");
  body += "<h2>Energy vs FLOPs per engine and device</h2>\n";
  if (predictor) {
    body += fmt::format(
        "<p>Crosses: the cost model's fit ({}) for each point. Its error on models it has not seen "
        "(leave-one-model-out): {:.1f} % mean, {:.1f} % worst; on configurations it has not seen: {:.1f} % "
        "mean.</p>\n",
        html_escape(predictor->model.name()), predictor->leave_one_model_out.energy_mape_pct,
        predictor->leave_one_model_out.energy_worst_pct, predictor->leave_one_configuration_out.energy_mape_pct);
  } else {
    body += "<p>No cost model fit: " + html_escape(figures.no_fit_reason) + ".</p>\n";
  }
  chart("energy-flops", energy_flops_spec(flops_points, predictor.has_value()), flops_points.size(),
        "energy vs FLOPs");

  // Every point, sortable, with its provenance.
  std::string table =
      "<h2>Every point</h2>\n<table class=\"sortable\" id=\"points\"><thead><tr>"
      "<th class=\"t\">model</th><th class=\"t\">configuration</th><th class=\"t\">host</th><th>mJ/inference</th>"
      "<th>± CI mJ</th><th class=\"t\">energy provenance</th><th>top-1 %</th><th class=\"t\">accuracy provenance</th>"
      "<th>p50 ms</th><th>p99 ms</th><th>acc/J</th><th>peak RSS MiB</th><th class=\"t\">status</th></tr></thead><tbody>\n";
  auto cell = [](const std::optional<double>& v, const char* format) {
    return v ? fmt::format("<td data-v=\"{}\">{}</td>", *v, fmt::format(fmt::runtime(format), *v)) : std::string("<td>-</td>");
  };
  std::string invalid;
  for (const auto& r : input.rows) {
    std::optional<double> mj, ci;
    if (r.energy_j_per_inference) mj = *r.energy_j_per_inference * 1e3;
    if (r.energy_j_per_inference_ci95) ci = *r.energy_j_per_inference_ci95 * 1e3;
    table += fmt::format("<tr{}><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td>{}{}<td class=\"t\">{}</td>{}"
                         "<td class=\"t\">{}</td>{}{}{}{}<td class=\"t\">{}</td></tr>\n",
                         r.status == Verdict::kValid ? "" : " class=\"invalid\"", html_escape(r.model),
                         html_escape(configuration_label(r)), html_escape(r.hostname), cell(mj, "{:.4g}"), cell(ci, "{:.2g}"),
                         html_escape(r.energy_provenance.empty() ? "-" : r.energy_provenance), cell(r.top1, "{:.2f}"),
                         html_escape(r.accuracy_source.empty() ? "-" : r.accuracy_source), cell(r.latency_ms_p50, "{:.3g}"),
                         cell(r.latency_ms_p99, "{:.3g}"), cell(r.accuracy_per_joule, "{:.3g}"),
                         cell(r.peak_rss_mb, "{:.0f}"), html_escape(to_string(r.status)));
    if (r.status != Verdict::kValid) {
      invalid += fmt::format("<li><b>{}</b> {} on {}: {} — {}</li>\n", html_escape(r.model), html_escape(configuration_label(r)),
                             html_escape(r.hostname), html_escape(to_string(r.status)), html_escape(r.reason));
    }
  }
  table += "</tbody></table>\n";
  body += table;
  body += "<h2>Points not plotted</h2>\n";
  body += invalid.empty() ? "<p>None: every stored point is VALID.</p>\n"
                          : "<p>INVALID points were measured but failed a check of the protocol; UNSUPPORTED ones "
                            "cannot run in their configuration. Neither is plotted or recommended.</p>\n<ul>" +
                                invalid + "</ul>\n";

  // Header: hosts, meters, provenance legend.
  std::set<std::string> hosts, meters, energy_provenances, accuracy_provenances;
  size_t valid = 0, invalid_n = 0, unsupported = 0;
  for (const auto& r : input.rows) {
    hosts.insert(fmt::format("{} ({}; BLAS {})", r.hostname, r.cpu_model, r.blas));
    if (!r.meter.empty()) meters.insert(r.meter);
    if (!r.energy_provenance.empty()) energy_provenances.insert(r.energy_provenance);
    if (!r.accuracy_source.empty()) accuracy_provenances.insert(r.accuracy_source.substr(0, r.accuracy_source.find(':')));
    valid += r.status == Verdict::kValid;
    invalid_n += r.status == Verdict::kInvalid;
    unsupported += r.status == Verdict::kUnsupported;
  }
  auto listed = [](const std::set<std::string>& s) {
    return s.empty() ? std::string("none") : join({s.begin(), s.end()}, "; ");
  };
  std::string head = fmt::format(
      "<h1>edgejoule report</h1>\n<p class=\"meta\">{} points from <code>{}</code> ({} VALID, {} INVALID, {} "
      "UNSUPPORTED), generated {} by edgejoule {}.</p>\n<p class=\"meta\"><b>Hosts:</b> {}<br><b>Meters:</b> {}<br>"
      "<b>Energy provenance:</b> {}</p>\n",
      input.rows.size(), html_escape(input.source), valid, invalid_n, unsupported, html_escape(input.generated_at_utc),
      EDGEJOULE_VERSION, html_escape(listed(hosts)), html_escape(listed(meters)), html_escape(listed(energy_provenances)));
  for (const auto& n : figures.notes) head += "<p class=\"note\">" + html_escape(n) + "</p>\n";
  head += "<dl class=\"legend\"><dt>measured:&lt;meter&gt;</dt><dd>energy read from a sensor over exactly the "
          "measurement windows</dd><dt>estimated:&lt;model&gt;</dt><dd>energy estimated (CPU time × per-core power) "
          "where no sensor exists; never mixed with measured figures</dd><dt>declared:&lt;source&gt;</dt><dd>accuracy "
          "as published for the weights (e.g. torchvision's metadata), not measured here</dd><dt>measured:&lt;dataset&gt;:&lt;n&gt;"
          "</dt><dd>accuracy measured here on n labelled samples</dd><dt>predicted:&lt;model&gt;</dt><dd>a cost model's "
          "prediction, with its cross-validated error (recommend --predict)</dd></dl>\n";

  std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>edgejoule report</title>\n";
  html += "<style>" + std::string(kStyle) + "</style>\n";
  if (report_charts_available()) {
    html += "<script>" + std::string(report_asset_vega_js()) + "</script>\n";
    html += "<script>" + std::string(report_asset_vega_lite_js()) + "</script>\n";
    html += "<script>" + std::string(report_asset_vega_embed_js()) + "</script>\n";
  }
  html += "</head><body>\n" + head;
  if (!report_charts_available()) {
    html += "<p class=\"note\">This edgejoule was built without the charting library "
            "(-DEDGEJOULE_WITH_REPORT_CHARTS=OFF): the charts are left out, the table is complete.</p>\n";
  }
  html += body;
  html += "<script id=\"edgejoule-render-check\" type=\"application/json\"></script>\n";
  html += "<script>" + std::string(kTableScript) + "</script>\n";
  html += "<script>" + std::string(kSliderScript) + "</script>\n";
  if (report_charts_available()) {
    html += "<script>const CHARTS = " + script_json(charts) + ";\n" + kRenderScript + "</script>\n";
  }
  html += "</body></html>\n";
  return html;
}

bool report_charts_available() { return report_assets_available(); }

}  // namespace edgejoule
