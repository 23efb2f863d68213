#include "zoo/engine_check.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/strings.h"
#include "engines/registry.h"
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
    if (!out.flush()) {
      throw Error("cannot write '" + tmp + "': check the zoo directory's permissions and free space", exit_code::kFailure);
    }
  }
  fs::rename(tmp, path);
}

// Runs the check for one model; fills `result` with runs / reason / comparison with the
// reference engine (as "max_rel_diff_vs_<reference>", "top1_agrees_with_<reference>").
void check_one(const ModelInfo& model, const EngineDescriptor& engine_descriptor, int threads,
               nlohmann::ordered_json& result) {
  std::vector<int64_t> shape{1};
  shape.insert(shape.end(), model.sample_shape.begin(), model.sample_shape.end());
  EngineOptions options;
  options.threads = threads;
  auto engine = engine_descriptor.make();
  ModelInfo variant = model;
  variant.not_runnable.erase(engine_descriptor.name);  // this check's own earlier verdict, being redone
  if (const auto why = select_engine_file(variant, engine_descriptor.name); !why.empty()) throw UnsupportedError(why);
  engine->load(variant.path, options);
  engine->prepare(shape);
  result["runs"] = true;
  const EngineDescriptor* reference = reference_engine();
  if (reference && reference != &engine_descriptor && model.files.count(reference->model_format)) {
    auto reference_run = reference->make();
    reference_run->load(model.files.at(reference->model_format), options);
    const auto c = compare_engines(*reference_run, *engine, shape, "fp32");
    result["max_rel_diff_vs_" + reference->name] = c.max_rel_diff;
    result["top1_agrees_with_" + reference->name] = c.top1_agreement >= 1.0;
  }
}

}  // namespace

std::vector<const EngineDescriptor*> zoo_check_engines(const std::string& names) {
  std::vector<const EngineDescriptor*> out;
  if (names == "none") return out;
  const auto named = names == "all" ? std::vector<std::string>{} : split(names, ',');
  for (const auto& name : named) find_engine(trim(name));  // throws, naming the engines
  for (const auto& e : engine_registry()) {
    const bool asked = named.empty() || std::find_if(named.begin(), named.end(), [&](const std::string& n) {
                                          return trim(n) == e.name;
                                        }) != named.end();
    if (!asked) continue;
    if (!e.zoo_check || !e.built_in()) {
      if (!named.empty()) {
        throw Error("--check " + e.name + ": " +
                    (e.built_in() ? "the zoo build does not check this engine (it is the reference the others are "
                                    "compared with)"
                                  : "this build has no " + e.name + " engine: " + e.build_hint));
      }
      continue;
    }
    out.push_back(&e);
  }
  return out;
}

EngineCheckSummary check_zoo_engines(const std::string& zoo_dir, const std::vector<const EngineDescriptor*>& engines,
                                     int threads, bool quiet) {
  EngineCheckSummary summary;
  for (const EngineDescriptor* e : engines) {
    const EngineCheckSummary one = check_zoo_engine(zoo_dir, *e, threads, quiet);
    summary.checked += one.checked;
    summary.cached += one.cached;
    summary.runs += one.runs;
    summary.cannot += one.cannot;
  }
  return summary;
}

EngineCheckSummary check_zoo_engine(const std::string& zoo_dir, const EngineDescriptor& descriptor, int threads,
                                    bool quiet) {
  EngineCheckSummary summary;
  const std::string& engine = descriptor.name;
  // A plugin that cannot be loaded says nothing about the models: said once, nothing recorded.
  try {
    descriptor.hooks();
  } catch (const Error& e) {
    if (!quiet) std::fprintf(stderr, "zoo: %s not checked: %s\n", engine.c_str(), e.what());
    return summary;
  }
  const std::string version = descriptor.version();
  const std::string format = descriptor.model_format;

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
      check_one(model, descriptor, threads, result);
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
      } else if (const auto* reference = reference_engine();
                 reference && result.contains("max_rel_diff_vs_" + reference->name)) {
        detail = fmt::format("runs; output vs {}: max rel diff {:.1e}, top-1 {}", reference->name,
                             result["max_rel_diff_vs_" + reference->name].get<double>(),
                             result["top1_agrees_with_" + reference->name].get<bool>() ? "same" : "DIFFERENT");
      } else {
        detail = "runs";
      }
      std::fprintf(stderr, "zoo: check %s: %s %s\n", model.name.c_str(), engine.c_str(), detail.c_str());
    }
    engines[engine] = std::move(result);
    write_atomically(path, doc.dump(2) + "\n");  // progress survives an interruption
  }
  if (!quiet && (summary.checked || summary.cached)) {
    std::fprintf(stderr, "zoo: %s runs %d of %d %s models (%d checked now, %d cached)\n", engine.c_str(),
                 summary.runs, summary.runs + summary.cannot, format.c_str(), summary.checked, summary.cached);
  }
  return summary;
}

std::vector<OutputCheck> check_model_outputs(const std::vector<ModelInfo>& models, const std::vector<std::string>& engines,
                                             const std::vector<std::string>& precisions, const std::string& device) {
  const EngineDescriptor* reference = reference_engine();
  if (!reference) {
    throw Error("--check-outputs compares against the reference engine (" + engine_registry().front().name +
                "), which this build lacks");
  }
  std::vector<OutputCheck> checks;
  EngineOptions reference_options;
  reference_options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const auto& model : models) {
    ModelInfo reference_model = model;
    const std::string no_reference = select_engine_file(reference_model, reference->name);
    std::unique_ptr<Engine> reference_run;  // loaded once per model, on its first comparison
    for (const auto& engine_name : engines) {
      for (const auto& precision : precisions) {
        if (engine_name == reference->name && precision == "fp32") continue;
        OutputCheck check{model.name, engine_name, precision, "", std::nullopt};
        ModelInfo variant = model;
        const std::string why = select_engine_file(variant, engine_name, 1, precision);
        if (!no_reference.empty()) {
          check.verdict = "no " + reference->model_format + " file to compare with";
        } else if (!why.empty()) {
          check.verdict = "unsupported: " + why;
        } else {
          try {
            std::vector<int64_t> shape{1};
            shape.insert(shape.end(), model.sample_shape.begin(), model.sample_shape.end());
            if (!reference_run) {
              auto engine = reference->make();
              engine->load(reference_model.path, reference_options);
              reference_run = std::move(engine);
            }
            EngineOptions options = reference_options;
            auto other = make_engine(engine_name);
            options.device = device;
            options.precision = precision;
            other->load(variant.path, options);
            check.comparison = compare_engines(*reference_run, *other, shape, precision);
            check.verdict = check.comparison->agrees() ? "agrees" : "DISAGREES";
          } catch (const UnsupportedError& e) {
            check.verdict = std::string("unsupported: ") + e.what();
          } catch (const Error& e) {
            check.verdict = std::string("failed: ") + e.what();
          }
        }
        checks.push_back(std::move(check));
      }
    }
  }
  return checks;
}

}  // namespace edgejoule
