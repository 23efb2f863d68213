#include "zoo/manifest.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "core/provenance.h"
#include "engines/engine.h"

namespace edgejoule {
namespace fs = std::filesystem;

namespace {
// An accuracy object (top1, top5, source, dataset): the model's, or a quantised file's. A figure
// needs a source that says declared: or measured:; returns the message when it lacks one.
ModelInfo::FileAccuracy read_accuracy(const nlohmann::json& acc, std::string* missing_source) {
  ModelInfo::FileAccuracy a;
  if (acc.contains("top1") && acc["top1"].is_number()) a.top1 = acc["top1"].get<double>();
  if (acc.contains("top5") && acc["top5"].is_number()) a.top5 = acc["top5"].get<double>();
  if (a.top1 || a.top5) {
    a.source = acc.value("source", std::string());
    if (acc.contains("dataset") && acc["dataset"].is_string()) a.dataset = acc["dataset"].get<std::string>();
    if (accuracy_provenance_of(a.source) == AccuracyProvenance::kNone) {
      *missing_source = "accuracy without a \"source\" starting with declared: or measured:";
    }
  }
  return a;
}
}  // namespace

std::vector<ModelInfo> parse_manifest(const std::string& json_text, const std::string& zoo_dir,
                                      const std::string& manifest_path) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error for bad syntax, out_of_range for numbers no double holds (found by fuzzing).
    throw Error("zoo manifest '" + manifest_path + "' is not valid JSON (" + e.what() +
                "): rebuild it with 'edgejoule zoo build'");
  }
  if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_array()) {
    throw Error("zoo manifest '" + manifest_path +
                "' has no \"models\" list: rebuild it with 'edgejoule zoo build'");
  }
  std::vector<ModelInfo> models;
  size_t index = 0;
  for (const auto& entry : doc["models"]) {
    const std::string where = "zoo manifest '" + manifest_path + "' entry " + std::to_string(index++);
    auto bad = [&](const std::string& what) {
      throw Error(where + " " + what + ": fix the entry or rebuild the zoo with 'edgejoule zoo build'");
    };
    try {
      if (!entry.is_object()) bad("is not an object");
      if (!entry.contains("name") || !entry["name"].is_string()) bad("has no string \"name\"");
      ModelInfo m;
      m.name = entry["name"].get<std::string>();
      m.family = entry.value("family", std::string());
      if (!entry.contains("files") || !entry["files"].is_object()) bad("(" + m.name + ") has no \"files\" object");
      for (const auto& [fmt_name, file] : entry["files"].items()) {
        if (!file.is_string()) bad("(" + m.name + ") has a non-string file for " + fmt_name);
        m.files[fmt_name] = (fs::path(zoo_dir) / file.get<std::string>()).string();
      }
      if (m.files.empty()) bad("(" + m.name + ") has an empty \"files\" object");
      m.format = m.files.count("torchscript") ? "torchscript" : m.files.begin()->first;
      m.path = m.files.at(m.format);
      // "<format>_error": why the exporter wrote no file of that format.
      for (const auto& [key, value] : entry.items()) {
        if (value.is_string() && key.size() > 6 && key.compare(key.size() - 6, 6, "_error") == 0) {
          m.not_runnable[key.substr(0, key.size() - 6)] = value.get<std::string>();
        }
      }
      if (entry.contains("onnx_fixed_batch") && entry["onnx_fixed_batch"].is_number_integer()) {
        m.fixed_batch["onnx"] = entry["onnx_fixed_batch"].get<int64_t>();
      }
      if (entry.contains("engines") && entry["engines"].is_object()) {
        for (const auto& [engine, check] : entry["engines"].items()) {
          if (check.is_object() && check.contains("runs") && check["runs"].is_boolean() &&
              !check["runs"].get<bool>()) {
            m.not_runnable[engine] = check.value("reason", std::string("the zoo build's check failed"));
            m.checked_with[engine] = check.value("engine_version", std::string());
          }
        }
      }
      if (!entry.contains("input_shape") || !entry["input_shape"].is_array() ||
          entry["input_shape"].size() < 2) {
        bad("(" + m.name + ") has no \"input_shape\" list like [1, 3, 224, 224]");
      }
      const auto shape = entry["input_shape"].get<std::vector<int64_t>>();
      for (auto d : shape) {
        if (d <= 0) bad("(" + m.name + ") has a non-positive dimension in \"input_shape\"");
      }
      m.sample_shape.assign(shape.begin() + 1, shape.end());
      if (entry.contains("params") && entry["params"].is_number_integer()) m.params = entry["params"].get<int64_t>();
      if (entry.contains("flops") && entry["flops"].is_number_integer()) m.flops = entry["flops"].get<int64_t>();
      if (entry.contains("graph") && entry["graph"].is_object() && entry["graph"].contains("summary") &&
          entry["graph"]["summary"].is_object()) {
        for (const auto& [key, value] : entry["graph"]["summary"].items()) {
          if (value.is_number()) m.graph[key] = value.get<double>();
        }
      }
      std::string missing_source;
      if (entry.contains("accuracy") && entry["accuracy"].is_object()) {
        const auto a = read_accuracy(entry["accuracy"], &missing_source);
        if (!missing_source.empty()) bad("(" + m.name + ") has " + missing_source);
        m.top1 = a.top1;
        m.top5 = a.top5;
        m.accuracy_source = a.source;
        m.accuracy_dataset = a.dataset;
      }
      if (entry.contains("format_accuracy") && entry["format_accuracy"].is_object()) {
        for (const auto& [format, acc] : entry["format_accuracy"].items()) {
          if (!acc.is_object()) bad("(" + m.name + ") has a non-object format_accuracy for " + format);
          auto a = read_accuracy(acc, &missing_source);
          if (!missing_source.empty()) bad("(" + m.name + ") has " + format + " " + missing_source);
          a.not_applicable = acc.value("not_applicable", std::string());
          m.file_accuracy[format] = std::move(a);
        }
      }
      if (entry.contains("preprocess") && entry["preprocess"].is_object()) {
        const auto& pre = entry["preprocess"];
        if (pre.contains("pixel_scale") && pre["pixel_scale"].is_number()) m.pixel_scale = pre["pixel_scale"].get<double>();
        if (pre.contains("mean") && pre["mean"].is_array()) m.mean = pre["mean"].get<std::vector<double>>();
        if (pre.contains("std") && pre["std"].is_array()) m.std = pre["std"].get<std::vector<double>>();
        if (pre.contains("resize") && pre["resize"].is_number_integer()) m.resize = pre["resize"].get<int>();
        if (pre.contains("crop") && pre["crop"].is_number_integer()) m.crop = pre["crop"].get<int>();
        if (m.mean.size() != m.std.size()) bad("(" + m.name + ") has preprocess mean and std of different lengths");
        for (double sd : m.std) if (sd <= 0) bad("(" + m.name + ") has a non-positive preprocess std");
      }
      models.push_back(std::move(m));
    } catch (const nlohmann::json::exception& e) {
      bad(std::string("is malformed (") + e.what() + ")");
    }
  }
  return models;
}

std::vector<ModelInfo> parse_manifest(const std::string& json_text, const std::string& zoo_dir,
                                      const std::string& format, const std::string& manifest_path) {
  std::vector<ModelInfo> models;
  for (auto& m : parse_manifest(json_text, zoo_dir, manifest_path)) {
    auto it = m.files.find(format);
    if (it == m.files.end()) continue;  // not exported for this engine
    m.path = it->second;
    m.format = format;
    models.push_back(std::move(m));
  }
  return models;
}

namespace {
std::string read_manifest(const std::string& zoo_dir, std::string* path) {
  *path = (fs::path(zoo_dir) / kManifestName).string();
  auto text = read_file(*path);
  if (!text) {
    throw Error("no zoo manifest at '" + *path + "': build one with 'edgejoule zoo build --out " +
                zoo_dir + "' or pass model files instead of --zoo");
  }
  return std::move(*text);
}
}  // namespace

std::vector<ModelInfo> load_manifest(const std::string& zoo_dir) {
  std::string path;
  const std::string text = read_manifest(zoo_dir, &path);
  return parse_manifest(text, zoo_dir, path);
}

std::vector<ModelInfo> load_manifest(const std::string& zoo_dir, const std::string& format) {
  std::string path;
  const std::string text = read_manifest(zoo_dir, &path);
  return parse_manifest(text, zoo_dir, format, path);
}

std::string select_engine_file(ModelInfo& model, const std::string& engine, int batch,
                               const std::string& precision) {
  const std::string format = engine_model_format(engine, precision);
  // A model file given directly: its engine loads it (and checks an int8 one is quantised).
  if (model.files.empty()) {
    return model.format == engine_model_format(engine)
               ? ""
               : "engine " + engine + " loads " + engine_model_format(engine) + " files, and this model is " + model.format;
  }
  const auto file = model.files.find(format);
  if (file == model.files.end()) {
    if (auto why = model.not_runnable.find(format); why != model.not_runnable.end()) {
      return "no " + format + " export (" + why->second + ")";
    }
    return "the zoo has no " + format + " file for it: rebuild it with 'edgejoule zoo build --formats torchscript," +
           format + "'";
  }
  // From here on the point is about the engine's own file, whether or not it can run it.
  model.path = file->second;
  model.format = format;
  if (format != engine_model_format(engine)) {
    // A file of its own for this precision (a quantised export) has its own accuracy, or none:
    // never the fp32 model's.
    const auto own = model.file_accuracy.find(format);
    const bool measured = own != model.file_accuracy.end() && own->second.top1;
    model.top1 = measured ? own->second.top1 : std::nullopt;
    model.top5 = measured ? own->second.top5 : std::nullopt;
    model.accuracy_source = measured ? own->second.source : "";
    model.accuracy_dataset = measured ? own->second.dataset : "";
  }
  if (auto why = model.not_runnable.find(engine); why != model.not_runnable.end()) {
    return "the zoo build found " + engine + " cannot run it: " + why->second;
  }
  if (auto fixed = model.fixed_batch.find(format); batch > 0 && fixed != model.fixed_batch.end() &&
                                                     fixed->second != batch) {
    return "its " + format + " file takes batch " + std::to_string(fixed->second) + " only (exported without a "
           "dynamic batch, the only form " + engine + " can import; see docs/zoo.md)";
  }
  return "";
}

std::string model_content_sha256(const std::string& path) {
  if (std::filesystem::path(path).extension() == ".xml") return sha256_files({path, path.substr(0, path.size() - 4) + ".bin"});
  return sha256_file(path);
}

std::optional<ModelInfo> manifest_entry_for(const std::string& model_path, const std::string& format) {
  const fs::path model(model_path);
  const fs::path dir = model.has_parent_path() ? model.parent_path() : fs::path(".");
  const std::string manifest = (dir / kManifestName).string();
  const auto text = read_file(manifest);
  if (!text) return std::nullopt;
  std::error_code ec;
  for (auto& m : parse_manifest(*text, dir.string(), format, manifest)) {
    if (fs::equivalent(m.path, model, ec)) {
      m.path = model_path;
      return m;
    }
  }
  return std::nullopt;
}

std::vector<ZooModelListing> list_zoo(const std::string& zoo_dir) {
  std::vector<ZooModelListing> out;
  for (const auto& m : load_manifest(zoo_dir)) {
    ZooModelListing listing;
    listing.model = m;
    for (const auto& e : known_engines()) {
      EngineSupport support;
      support.engine = e;
      ModelInfo copy = m;  // select_engine_file resolves the file into the model it is given
      support.why = select_engine_file(copy, e);
      support.runs = support.why.empty();
      if (support.runs) {
        ModelInfo int8 = m;
        support.own_int8_file =
            engine_model_format(e, "int8") != engine_model_format(e) && select_engine_file(int8, e, 0, "int8").empty();
      }
      support.attempted = m.files.count(engine_model_format(e)) || m.not_runnable.count(engine_model_format(e));
      listing.engines.push_back(std::move(support));
    }
    out.push_back(std::move(listing));
  }
  return out;
}

}  // namespace edgejoule
