#include <CLI/CLI.hpp>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "store/store.h"
#include "report/writers.h"

namespace edgejoule {

CommandRun add_list_command(CLI::App& app, const GlobalOptions&) {
  struct Flags {
    std::string db = kDefaultDbPath;
    std::string model;
    std::string status;
    bool json = false;
    bool runs = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("list", "Show the points stored in the profile database");
  cmd->add_option("--db", flags->db, kDbHelp)
      ->default_str(kDefaultDbPath)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--model", flags->model, "Only this model (name)");
  cmd->add_option("--status", flags->status,
                  "Only VALID, INVALID or UNSUPPORTED points; PREDICTED: the points a frontier sweep left "
                  "unmeasured, with the cost model's prediction and margin (never listed with measured points)")
      ->check(CLI::IsMember({"VALID", "INVALID", "UNSUPPORTED", "PREDICTED"}));
  cmd->add_flag("--json", flags->json, "Print JSON on stdout");
  cmd->add_flag("--runs", flags->runs, "List the runs under a budget ('edgejoule run') instead of the points");
  return [flags] {
    auto store = open_store(flags->db, OpenMode::kReadOnly);
    if (flags->runs) {
      const auto runs = store->runs();
      if (flags->json) {
        auto out = nlohmann::json::array();
        for (const auto& r : runs) {
          auto record = nlohmann::json::parse(r.record_json);
          record["id"] = r.id;
          out.push_back(std::move(record));
        }
        std::cout << out.dump(2) << "\n";
      } else {
        write_runs_table(std::cout, runs);
      }
      return 0;
    }
    RowFilter filter;
    filter.model = flags->model;
    if (flags->status == "PREDICTED") {
      std::vector<ResultRow> rows;
      for (auto& p : store->predictions(filter)) {
        p.row.reason = fmt::format("{} (+-{:.0f} %, {})", p.row.reason, p.margin * 100, p.predicted_at_utc);
        rows.push_back(std::move(p.row));
      }
      if (flags->json) {
        write_json(std::cout, rows);
      } else {
        write_table(std::cout, rows);
      }
      return 0;
    }
    if (!flags->status.empty()) filter.status = verdict_from_string(flags->status);
    const auto rows = store->rows(filter);
    if (flags->json) {
      write_json(std::cout, rows);
    } else {
      write_table(std::cout, rows);
      write_engine_comparison(std::cout, compare_engines_per_model(rows));
      write_scenario_comparison(std::cout, compare_scenarios(rows));
    }
    return 0;
  };
}

}  // namespace edgejoule
