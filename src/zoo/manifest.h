#pragma once
// The zoo manifest (zoo.json) written by zoo/export.py: one entry per model with its files,
// input shape, parameter count and declared accuracy. See docs/zoo.md for the format.

#include <optional>
#include <string>
#include <vector>

#include "profiler/records.h"

namespace edgejoule {

inline constexpr const char* kManifestName = "zoo.json";

// Every model of the manifest in `zoo_dir` that has a file for `format` ("torchscript"), with
// paths resolved against the directory. Throws Error naming the file and the bad entry.
std::vector<ModelInfo> load_manifest(const std::string& zoo_dir, const std::string& format);
std::vector<ModelInfo> parse_manifest(const std::string& json_text, const std::string& zoo_dir,
                                      const std::string& format, const std::string& manifest_path);

// The manifest entry for a model file, found through a zoo.json beside it; nullopt if none.
std::optional<ModelInfo> manifest_entry_for(const std::string& model_path, const std::string& format);

// Where zoo/export.py lives: $EDGEJOULE_ZOO_SCRIPTS, else the source tree it was built from.
std::string zoo_scripts_dir();
// The first Python that imports torch and torchvision ($EDGEJOULE_PYTHON, python3,
// /usr/bin/python3, python). Throws Error saying what to install when there is none.
std::string find_python_with_torch();

}  // namespace edgejoule
