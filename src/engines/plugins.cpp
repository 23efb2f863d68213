// Loading an engine's plugin on first use: dlopen of its shared library, found in
// engine_plugin_dirs(), and its one exported function. A plugin stays loaded until the process
// ends (its library's threads and static state outlive any engine object).
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/error.h"
#include "engines/registry.h"

namespace edgejoule {
namespace {

std::mutex g_mutex;
std::map<std::string, const EngineHooks*>& loaded() {
  static std::map<std::string, const EngineHooks*> plugins;
  return plugins;
}

std::mutex g_dirs_mutex;  // apart from g_mutex, which is held while the folders are searched
std::vector<std::string>& extra_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

std::string program_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::vector<std::string> engine_plugin_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("EDGEJOULE_ENGINE_DIR"); env && *env) dirs.emplace_back(env);
  {
    std::lock_guard<std::mutex> lock(g_dirs_mutex);
    for (const auto& dir : extra_dirs()) dirs.push_back(dir);
  }
  if (const auto dir = program_dir(); !dir.empty()) dirs.push_back(dir);
#ifdef EDGEJOULE_PLUGIN_BUILD_DIR
  dirs.emplace_back(EDGEJOULE_PLUGIN_BUILD_DIR);
#endif
  return dirs;
}

void add_engine_plugin_dir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(g_dirs_mutex);
  extra_dirs().push_back(dir);
}

bool engine_plugin_loaded(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_mutex);
  return loaded().count(name) > 0;
}

const EngineHooks& EngineDescriptor::hooks() const {
  if (!built_in()) throw Error("engine '" + name + "' is not built in: " + build_hint);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (const auto it = loaded().find(name); it != loaded().end()) return *it->second;
  std::string tried;
  for (const auto& dir : engine_plugin_dirs()) {
    const auto path = std::filesystem::path(dir) / plugin;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path.string();
      continue;
    }
    // RTLD_LOCAL: each plugin keeps its own copy of the project's small libraries to itself.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      throw Error("engine '" + name + "' could not be loaded from '" + path.string() + "' (" + dlerror() +
                      "): reinstall its library or rebuild (make build)",
                  exit_code::kFailure);
    }
    using Entry = const EngineHooks* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, kEngineHooksSymbol));
    const EngineHooks* hooks = entry ? entry() : nullptr;
    if (!hooks || !hooks->make) {
      throw Error("'" + path.string() + "' is not an edgejoule engine plugin of this version (no " +
                      kEngineHooksSymbol + "): rebuild (make build)",
                  exit_code::kFailure);
    }
    loaded()[name] = hooks;
    return *hooks;
  }
  throw Error("engine '" + name + "' is built in but its plugin " + plugin + " is missing (looked in " + tried +
                  "): rebuild (make build), or set EDGEJOULE_ENGINE_DIR to the directory holding it",
              exit_code::kFailure);
}

std::string EngineDescriptor::version() const {
  if (!built_in()) return "";
  try {
    const EngineHooks& h = hooks();
    return h.version ? h.version() : "";
  } catch (const Error&) {
    return "";
  }
}

}  // namespace edgejoule
