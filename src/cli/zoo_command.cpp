#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/error.h"
#include "common/process.h"
#include "common/strings.h"
#include "engines/engine.h"
#include "engines/registry.h"
#include "core/result_row.h"  // json_or_null
#include "zoo/engine_check.h"
#include "zoo/manifest.h"
#include "report/writers.h"

namespace edgejoule {

CommandRun add_zoo_command(CLI::App& app, const GlobalOptions&) {
  struct Flags {
    std::string set = "demo";
    std::string formats = "torchscript";
    std::string check = "all";
    std::string out;
    bool force = false;
    std::string zoo_dir;
    bool json = false;
    std::string ops_file;
    std::string input_shape = "1,3,224,224";
    std::string ops_json;
  };
  auto flags = std::make_shared<Flags>();
  auto* zoo = app.add_subcommand("zoo", "Build and inspect model zoos");
  zoo->require_subcommand(1);

  auto* build = zoo->add_subcommand(
      "build", "Export a model set to TorchScript (and ONNX, int8) with a zoo.json manifest (cached by "
               "content); then check which models each other engine can run");
  build->add_option("--set", flags->set,
                    "Model set: demo (6 torchvision models), imagenet (every torchvision classification "
                    "architecture, ~80; says how much disk it needs first), fmnist (11 models trained here on "
                    "Fashion-MNIST, ~6 min), fmnist-small (3 of them), gpu-sweep (8 architectures for scripts/gpu-sweep), tiny and crosscheck (tests)")
      ->check(CLI::IsMember({"demo", "imagenet", "fmnist", "fmnist-small", "tiny", "crosscheck", "gpu-sweep"}))
      ->default_str("demo");
  build->add_option("--out", flags->out, "Output directory")->required();
  build->add_option("--formats", flags->formats,
                    "Formats to export, for the engines and precisions you will use (comma-separated): "
                    "torchscript, onnx (the opencv, openvino and onnxruntime engines'), torchscript_int8 (dynamically "
                    "quantised, for torchscript's --precision int8), openvino_int8 (post-training quantised with NNCF "
                    "from the ONNX file, for openvino's --precision int8), onnx_int8 (static QDQ int8 by "
                    "onnxruntime.quantization, for onnxruntime's --precision int8; both need the .venv of 'make "
                    "deps'), or engines: every "
                    "format the engines built in load, at every precision")
      ->default_str("torchscript");
  build->add_flag("--force", flags->force, "Export again even when cached");
  build->add_option("--check", flags->check,
                    "Engines whose check to run after the export (comma-separated), all (every engine that "
                    "reads the zoo's other files) or none; a check runs each file once and compares its output "
                    "with LibTorch's, and is cached per file and engine version")
      ->default_str("all");

  auto* list = zoo->add_subcommand("list", "Show the models of a zoo");
  list->add_option("--zoo", flags->zoo_dir, "Zoo directory (with zoo.json)")->required();
  list->add_flag("--json", flags->json, "Print JSON on stdout");

  auto* ops = zoo->add_subcommand(
      "ops", "List a model file's operators as the graph cost model sees them (kernels after fusion, MACs per "
             "class, bytes): TorchScript through torch, ONNX or OpenVINO IR through OpenVINO (the .venv)");
  ops->add_option("file", flags->ops_file, "Model file (.pt, .onnx, .xml)")->required()->check(CLI::ExistingFile);
  ops->add_option("--input-shape", flags->input_shape, "The input's shape, batch first")->default_str("1,3,224,224");
  ops->add_option("--json", flags->ops_json, "Also write every operator and the summary to this file");

  return [flags, build, list, ops]() -> int {
    if (ops->parsed()) {
      const std::string& file = flags->ops_file;
      const bool openvino = ends_with(file, ".onnx") || ends_with(file, ".xml");
      std::string python;
      if (openvino) {
        const char* env = std::getenv("EDGEJOULE_VENV");
        const std::string venv = env && *env ? env : std::string(EDGEJOULE_SOURCE_DIR) + "/.venv";
        python = venv + "/bin/python";
        if (run_process({python, "-c", "import openvino"}, /*quiet=*/true) != 0) {
          throw Error("reading an ONNX or IR file's operators needs OpenVINO in " + venv +
                      ": run 'make deps', or set EDGEJOULE_VENV", exit_code::kBadInput);
        }
      } else {
        python = find_python_with_torch();
      }
      std::vector<std::string> argv = {python, zoo_scripts_dir() + "/graph_ops.py", file, "--input-shape",
                                       flags->input_shape};
      if (!flags->ops_json.empty()) {
        argv.emplace_back("--json");
        argv.push_back(flags->ops_json);
      }
      const int rc = run_process(argv);
      if (rc != 0) throw Error("could not read the operators of " + file + " (its message is above): is it a model file of that format?");
      return 0;
    }
    if (build->parsed()) {
      const std::string python = find_python_with_torch();
      const std::string script = zoo_scripts_dir() + "/export.py";
      if (!read_file(script)) {
        throw Error("the zoo exporter '" + script +
                    "' is missing: set EDGEJOULE_ZOO_SCRIPTS to the zoo/ folder of the sources");
      }
      const std::string formats = flags->formats == "engines" ? join(built_in_formats(), ",") : flags->formats;
      // The engines to check, named before the export so that a wrong name costs nothing.
      const auto checked = zoo_check_engines(flags->check);
      std::vector<std::string> argv = {python, script, "--set", flags->set, "--out", flags->out,
                                       "--formats", formats};
      if (flags->force) argv.emplace_back("--force");
      const int rc = run_process(argv);
      if (rc != 0) {
        throw Error(fmt::format("the zoo export failed (exit status {}); its messages are above",
                                rc), exit_code::kFailure);
      }
      // Which exported models the other engines can run, and whether they compute what LibTorch does.
      check_zoo_engines(flags->out, checked, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
                        /*quiet=*/false);
      return 0;
    }
    if (list->parsed()) {
      const auto listing = list_zoo(flags->zoo_dir);
      if (flags->json) {
        std::cout << zoo_listing_json(listing).dump(2) << '\n';
      } else {
        write_zoo_listing(std::cout, listing);
      }
      return 0;
    }
    return exit_code::kBadInput;
  };
}

}  // namespace edgejoule
