// edgejoule report / export: wiring only; the writers are in src/report.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "common/error.h"
#include "common/strings.h"
#include "profiler/protocol.h"
#include "report/html_report.h"
#include "report/writers.h"
#include "store/store.h"

namespace edgejoule {
namespace {

struct ReportFlags {
  std::string db = kDefaultDbPath;
  std::string out = "edgejoule-report.html";
  std::optional<double> budget_j;
};

int run_report(const ReportFlags& flags) {
  if (flags.budget_j && !(*flags.budget_j > 0)) throw Error("--energy-budget-j must be a positive number of joules");
  auto store = open_store(flags.db, OpenMode::kReadOnly);
  ReportInput input;
  input.rows = store->rows({});
  if (input.rows.empty()) throw Error("the store '" + flags.db + "' holds no points: profile some models first");
  input.budget_j = flags.budget_j;
  input.figures = report_figures(input.rows, input.budget_j);
  input.source = redact_uri(flags.db);
  input.generated_at_utc = utc_now_iso8601();
  const std::string html = render_html_report(input);
  // Written beside the target and renamed, so a reader never sees half a report.
  const std::string tmp = flags.out + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw Error("cannot write the report '" + flags.out + "': check the directory exists and is writable");
    f << html;
    if (!f.flush()) throw Error("writing the report '" + flags.out + "' failed (disk full?)", exit_code::kFailure);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, flags.out, ec);
  if (ec) throw Error("cannot write the report '" + flags.out + "': " + ec.message());
  std::printf("report: %s (%zu points, %.1f MB%s)\n", flags.out.c_str(), input.rows.size(),
              static_cast<double>(html.size()) / 1e6, report_charts_available() ? "" : ", without charts");
  return 0;
}

struct ExportFlags {
  std::string db = kDefaultDbPath;
  std::string format;
};

int run_export(const ExportFlags& flags) {
  auto store = open_store(flags.db, OpenMode::kReadOnly);
  const auto rows = store->rows({});
  if (flags.format == "csv") write_csv(std::cout, rows);
  else if (flags.format == "md") write_markdown(std::cout, rows);
  else write_json(std::cout, rows);
  return 0;
}

}  // namespace

CommandRun add_report_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<ReportFlags>();
  auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report (charts, every point, provenance)");
  cmd->add_option("--db", flags->db, kDbHelp)->default_str(kDefaultDbPath)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--out", flags->out, "HTML file to write")->default_str("edgejoule-report.html");
  // --budget-j: the name before every command said --energy-budget-j; still accepted.
  cmd->add_option("--energy-budget-j,--budget-j", flags->budget_j,
                  "Draw this energy budget per inference (joules) and the recommended point");
  return [flags] { return run_report(*flags); };
}

CommandRun add_export_command(CLI::App& app, const GlobalOptions&) {
  auto flags = std::make_shared<ExportFlags>();
  auto* cmd = app.add_subcommand("export", "Print every stored point as CSV, JSON or Markdown");
  cmd->add_option("--db", flags->db, kDbHelp)->default_str(kDefaultDbPath)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--format", flags->format, "csv, json or md")->required()->check(CLI::IsMember({"csv", "json", "md"}));
  return [flags] { return run_export(*flags); };
}

}  // namespace edgejoule
