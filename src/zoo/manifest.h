#pragma once
// The zoo manifest (zoo.json) written by zoo/export.py: one entry per model with its files,
// input shape, parameter count and declared accuracy. See docs/zoo.md for the format.

#include <optional>
#include <string>
#include <vector>

#include "core/records.h"

namespace edgejoule {

inline constexpr const char* kManifestName = "zoo.json";

// Every model of the manifest in `zoo_dir`, with paths resolved against the directory; `path`
// and `format` are its TorchScript file (the reference every export comes from) or, without
// one, its first file. Throws Error naming the file and the bad entry.
std::vector<ModelInfo> load_manifest(const std::string& zoo_dir);
std::vector<ModelInfo> parse_manifest(const std::string& json_text, const std::string& zoo_dir,
                                      const std::string& manifest_path);
// Only the models with a file for `format`, whose `path` and `format` are that file.
std::vector<ModelInfo> load_manifest(const std::string& zoo_dir, const std::string& format);
std::vector<ModelInfo> parse_manifest(const std::string& json_text, const std::string& zoo_dir,
                                      const std::string& format, const std::string& manifest_path);

// Points `model` at the file `engine` loads at `precision` (engine_model_format) when the model
// has one. Returns "" when the engine can run it, else why not: no such export (with the
// exporter's reason when known; `model` is then unchanged), or the zoo build's check found the
// engine cannot import the file, or the file takes another `batch` than the one given (0 = any).
std::string select_engine_file(ModelInfo& model, const std::string& engine, int batch = 0,
                               const std::string& precision = "fp32");

// A model file's identity in the store: its SHA-256, or for an OpenVINO IR (.xml) that of the
// .xml's bytes followed by its .bin's (zoo/export.py computes the same).
std::string model_content_sha256(const std::string& path);

// The manifest entry for a model file, found through a zoo.json beside it; nullopt if none.
std::optional<ModelInfo> manifest_entry_for(const std::string& model_path, const std::string& format);

// Where zoo/export.py lives: $EDGEJOULE_ZOO_SCRIPTS, else the source tree it was built from.
std::string zoo_scripts_dir();
// The first Python that imports torch and torchvision ($EDGEJOULE_PYTHON, python3,
// /usr/bin/python3, python). Throws Error saying what to install when there is none.
std::string find_python_with_torch();

// The models to profile: the zoo's at `zoo_dir` (all, or those in `names`, each of which must be
// there) and the model files given directly (their format by extension; a file without a zoo.json
// beside it that lists it needs `override_shape`). Every file must exist; a zoo build's "cannot
// run" found with another version of the engine is dropped (the engine is tried again);
// `override_shape` (batch first) replaces every sample shape. Throws Error saying what to do.
std::vector<ModelInfo> load_models(const std::string& zoo_dir, const std::vector<std::string>& names,
                                   const std::vector<std::string>& files, const std::vector<int64_t>& override_shape);

// What `zoo list` shows: each model of a zoo with, per engine of the registry, whether it runs
// it (and from a quantised file of its own at int8), or why not where an export was attempted.
struct EngineSupport {
  std::string engine;
  bool runs = false;
  bool own_int8_file = false;  // runs int8 from a quantised export of its own
  bool attempted = false;      // a file for it was exported (or refused at export): `why` says why not
  std::string why;             // empty when it runs
};
struct ZooModelListing {
  ModelInfo model;
  std::vector<EngineSupport> engines;  // in the registry's order
};
std::vector<ZooModelListing> list_zoo(const std::string& zoo_dir);

}  // namespace edgejoule
