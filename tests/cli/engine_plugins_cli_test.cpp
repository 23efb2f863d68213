// Engines are plugins loaded when a command needs one: commands that run no model start without
// them, and a plugin that cannot be loaded is one sentence, only where it is needed.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_fixture.h"

namespace edgejoule::testing {
namespace {

class EnginePlugins : public CliTest {
 protected:
  // The binary with EDGEJOULE_ENGINE_DIR pointing at a folder whose plugins are not libraries:
  // any command that loads one fails there.
  ProcessResult with_broken_plugins(std::vector<std::string> args) {
    const fs::path dir = dir_ / "plugins";
    fs::create_directories(dir);
    for (const char* name : {"torchscript", "opencv", "openvino"}) {
      std::ofstream(dir / ("libedgejoule_engine_" + std::string(name) + ".so")) << "not a library";
    }
    args.insert(args.begin(), {"EDGEJOULE_ENGINE_DIR=" + dir.string(), kBinary});
    return run("/usr/bin/env", args);
  }
};

TEST_F(EnginePlugins, CommandsThatRunNoModelLoadNoEngine) {
  const auto profiled = profile({kZoo + "/tiny_cnn.pt", "--threads", "1"});
  ASSERT_EQ(profiled.exit_code, 0) << profiled.err;
  const auto version = with_broken_plugins({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  const auto list = with_broken_plugins({"list", "--db", db_});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("tiny_cnn"), std::string::npos);
  const auto help = with_broken_plugins({"profile", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
}

TEST_F(EnginePlugins, APluginThatCannotBeLoadedIsOneSentenceWhereItIsNeeded) {
  const auto r = with_broken_plugins({"engines"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("could not be loaded from"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rebuild (make build)"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace edgejoule::testing
