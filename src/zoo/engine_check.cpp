#include "zoo/engine_check.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "engines/engine.h"
#include "engines/output_check.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace fs = std::filesystem;

namespace {

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) throw Error("cannot write '" + tmp + "': check the zoo directory's permissions and free space");
  }
  fs::rename(tmp, path);
}

// Runs the check for one model; fills `result` with runs / reason / comparison.
void check_one(const ModelInfo& model, const std::string& engine_name, int threads, nlohmann::ordered_json& result) {
  std::vector<int64_t> shape{1};
  shape.insert(shape.end(), model.sample_shape.begin(), model.sample_shape.end());
  EngineOptions options;
  options.threads = threads;
  auto engine = make_engine(engine_name);
  ModelInfo variant = model;
  if (const auto why = select_engine_file(variant, engine_name); !why.empty()) throw UnsupportedError(why);
  engine->load(variant.path, options);
  engine->prepare(shape);
  result["runs"] = true;
  const auto available = available_engines();
  if (std::find(available.begin(), available.end(), "torchscript") != available.end() &&
      model.files.count("torchscript")) {
    auto reference = make_engine("torchscript");
    reference->load(model.files.at("torchscript"), options);
    const auto c = compare_engines(*reference, *engine, shape, "fp32");
    result["max_rel_diff_vs_torchscript"] = c.max_rel_diff;
    result["top1_agrees_with_torchscript"] = c.top1_agreement >= 1.0;
  }
}

}  // namespace

EngineCheckSummary check_zoo_engines(const std::string& zoo_dir, int threads, bool quiet) {
  EngineCheckSummary summary;
  const auto available = available_engines();
  const std::string engine = "opencv";
  if (std::find(available.begin(), available.end(), engine) == available.end()) return summary;
  const std::string version = engine_library_version(engine);
  const std::string format = engine_model_format(engine);

  const std::string path = (fs::path(zoo_dir) / kManifestName).string();
  const auto text = read_file(path);
  if (!text) throw Error("no zoo manifest at '" + path + "': the export wrote none");
  auto doc = nlohmann::ordered_json::parse(*text);
  const auto models = parse_manifest(*text, zoo_dir, path);  // validates every entry
  auto& entries = doc["models"];
  for (size_t i = 0; i < entries.size() && i < models.size(); ++i) {
    auto& entry = entries[i];
    const ModelInfo& model = models[i];
    if (!model.files.count(format)) continue;
    const std::string sha = entry.value("sha256", nlohmann::ordered_json::object()).value(format, std::string());
    auto& engines = entry["engines"];
    if (!engines.is_object()) engines = nlohmann::ordered_json::object();
    const auto& previous = engines[engine];
    if (previous.is_object() && previous.value("file_sha256", std::string()) == sha &&
        previous.value("engine_version", std::string()) == version) {
      ++summary.cached;
      previous.value("runs", false) ? ++summary.runs : ++summary.cannot;
      continue;
    }
    nlohmann::ordered_json result = {{"engine_version", version}, {"file_sha256", sha}, {"runs", false}};
    try {
      check_one(model, engine, threads, result);
    } catch (const Error& e) {
      result["runs"] = false;
      result["reason"] = e.what();
    }
    ++summary.checked;
    const bool runs = result["runs"].get<bool>();
    runs ? ++summary.runs : ++summary.cannot;
    if (!quiet) {
      std::string detail;
      if (!runs) {
        detail = "cannot run: " + result["reason"].get<std::string>();
      } else if (result.contains("max_rel_diff_vs_torchscript")) {
        detail = fmt::format("runs; output vs torchscript: max rel diff {:.1e}, top-1 {}",
                             result["max_rel_diff_vs_torchscript"].get<double>(),
                             result["top1_agrees_with_torchscript"].get<bool>() ? "same" : "DIFFERENT");
      } else {
        detail = "runs";
      }
      std::fprintf(stderr, "zoo: check %s: %s %s\n", model.name.c_str(), engine.c_str(), detail.c_str());
    }
    engines[engine] = std::move(result);
    write_atomically(path, doc.dump(2) + "\n");  // progress survives an interruption
  }
  if (!quiet && (summary.checked || summary.cached)) {
    std::fprintf(stderr, "zoo: %s runs %d of %d ONNX models (%d checked now, %d cached)\n", engine.c_str(),
                 summary.runs, summary.runs + summary.cannot, summary.checked, summary.cached);
  }
  return summary;
}

}  // namespace edgejoule
