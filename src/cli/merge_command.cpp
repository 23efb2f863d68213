// edgejoule merge: the points of stores made on devices that were offline (SQLite files, or
// another fleet store) into one store, SQLite or PostgreSQL. Each point keeps its host; merging
// twice adds nothing; of two copies of one point the one already there stays, unless --replace
// and the incoming one is newer. Evaluations stay in the store they ran on.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "common/error.h"
#include "common/strings.h"
#include "store/store.h"

namespace edgejoule {

CommandRun add_merge_command(CLI::App& app, const GlobalOptions&) {
  struct Flags {
    std::vector<std::string> sources;
    std::string into;
    bool replace = false, quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "merge", "Copy the points of other stores (e.g. SQLite files from offline devices) into one store, each with "
               "its host; merging twice adds nothing");
  cmd->add_option("sources", flags->sources, "Stores to read: SQLite files or postgresql://... URIs")->required();
  cmd->add_option("--into", flags->into, "The store to merge into (created when an SQLite file is absent): "
                                         "PATH, sqlite:PATH or postgresql://USER@HOST:PORT/DB")->required();
  cmd->add_flag("--replace", flags->replace,
                "Of two copies of one point (same model content, configuration and host), keep the one stored "
                "later (default: keep the one already in --into)");
  cmd->add_flag("--quiet", flags->quiet, "No per-store lines");
  return [flags] {
    // Every source must open (and be of a schema this build knows) before anything is written.
    std::vector<std::unique_ptr<Store>> sources;
    for (const auto& uri : flags->sources) {
      if (uri == flags->into) throw Error("merge: " + redact_uri(uri) + " is both a source and --into");
      sources.push_back(open_store(uri, OpenMode::kReadOnly));
    }
    auto into = open_store(flags->into, OpenMode::kReadWrite);
    into->ride_out_outages(kRideOutOutagesS, [](const std::string& text) { std::fprintf(stderr, "merge: %s\n", text.c_str()); });
    size_t added = 0, kept = 0, replaced = 0;
    for (auto& source : sources) {
      size_t a = 0, k = 0, r = 0;
      source->for_each_raw_point([&](const RawPoint& p) {
        switch (into->merge_point(p, flags->replace)) {
          case MergeOutcome::kAdded: ++a; break;
          case MergeOutcome::kKept: ++k; break;
          case MergeOutcome::kReplaced: ++r; break;
        }
      });
      if (!flags->quiet) {
        std::printf("%s: %zu added, %zu replaced by newer copies, %zu already there\n",
                    source->location().c_str(), a, r, k);
      }
      added += a;
      kept += k;
      replaced += r;
    }
    std::printf("merged into %s: %zu point(s) added, %zu replaced, %zu already there (kept)\n",
                into->location().c_str(), added, replaced, kept);
    return exit_code::kOk;
  };
}

}  // namespace edgejoule
