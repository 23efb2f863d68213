// The models a sweep profiles: a zoo's (all, or the named ones) and model files given directly.
#include <filesystem>
#include <set>

#include "common/error.h"
#include "engines/registry.h"
#include "zoo/manifest.h"

namespace edgejoule {
namespace {

// A model file given directly: its format is that of the engine whose extension it has, the
// first engine's (TorchScript) otherwise.
ModelInfo model_from_file(const std::string& path, const std::vector<int64_t>& override_shape) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("model file '" + path +
                "' does not exist: check the path, or build a zoo with 'edgejoule zoo build'");
  }
  const EngineDescriptor* by_extension = engine_for_extension(std::filesystem::path(path).extension().string());
  const std::string format = by_extension ? by_extension->model_format : engine_registry().front().model_format;
  ModelInfo m;
  if (auto entry = manifest_entry_for(path, format)) {
    m = *entry;
  } else {
    m.path = path;
    m.name = std::filesystem::path(path).stem().string();
    m.format = format;
    if (override_shape.empty()) {
      throw Error("no input shape known for '" + path +
                  "' (no zoo.json beside it lists it): pass --input-shape, e.g. 1x3x224x224");
    }
  }
  return m;
}

}  // namespace

std::vector<ModelInfo> load_models(const std::string& zoo_dir, const std::vector<std::string>& names,
                                   const std::vector<std::string>& files, const std::vector<int64_t>& override_shape) {
  std::vector<ModelInfo> models;
  if (!zoo_dir.empty()) {
    const std::set<std::string> wanted(names.begin(), names.end());
    std::set<std::string> found;
    for (auto& m : load_manifest(zoo_dir)) {
      if (wanted.empty() || wanted.count(m.name)) {
        found.insert(m.name);
        models.push_back(std::move(m));
      }
    }
    for (const auto& name : names) {
      if (!found.count(name)) {
        throw Error("model '" + name + "' is not in the zoo at '" + zoo_dir + "': see 'edgejoule zoo list --zoo " +
                    zoo_dir + "'");
      }
    }
  }
  for (const auto& file : files) models.push_back(model_from_file(file, override_shape));
  for (auto& m : models) {
    // A "cannot run" found by the zoo build with another version of the engine is stale.
    for (const auto& [engine, version] : m.checked_with) {
      if (!version.empty() && version != engine_library_version(engine)) m.not_runnable.erase(engine);
    }
    for (const auto& [format, path] : m.files) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        throw Error("model file '" + path + "' listed in the zoo does not exist: rebuild the zoo with "
                    "'edgejoule zoo build'");
      }
    }
    if (!override_shape.empty()) m.sample_shape.assign(override_shape.begin() + 1, override_shape.end());
  }
  return models;
}

}  // namespace edgejoule
