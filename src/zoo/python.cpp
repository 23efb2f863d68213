#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/process.h"
#include "zoo/manifest.h"

namespace edgejoule {

std::string zoo_scripts_dir() {
  if (const char* env = std::getenv("EDGEJOULE_ZOO_SCRIPTS"); env && *env) return env;
  return std::string(EDGEJOULE_SOURCE_DIR) + "/zoo";
}

std::string find_python_with_torch() {
  // On some machines the python3 first on PATH is a separate interpreter without Debian's
  // python3-torch; /usr/bin/python3 has it there. Ask each candidate rather than guess.
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("EDGEJOULE_PYTHON"); env && *env) candidates.emplace_back(env);
  for (const char* c : {"python3", "/usr/bin/python3", "python"}) candidates.emplace_back(c);
  std::string tried;
  for (const auto& python : candidates) {
    if (run_process({python, "-c", "import torch, torchvision"}, /*quiet=*/true) == 0) return python;
    tried += (tried.empty() ? "" : ", ") + python;
  }
  throw Error("no Python with torch and torchvision found (tried " + tried +
              "): install python3-torch and python3-torchvision, or set EDGEJOULE_PYTHON");
}

}  // namespace edgejoule
