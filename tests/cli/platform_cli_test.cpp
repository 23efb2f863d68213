// Platform power knobs on fakes only (a cpufreq tree under --sysfs-root, a fake NVML, a
// fake nvpmodel on PATH): set, measure, restore on every exit path, SIGKILL then restart, and
// refusal without the flag or without privileges.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "common/strings.h"

namespace edgejoule {
namespace {

using testing::CliTest;
using testing::kBinary;
using testing::kQuick;
using testing::kZoo;
namespace fs = std::filesystem;

class PlatformTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    root_ = dir_ / "root";
    for (int p = 0; p < 2; ++p) {
      const fs::path d = policy(p);
      fs::create_directories(d);
      write(d / "affected_cpus", std::to_string(p));
      write(d / "scaling_governor", "schedutil");
      write(d / "scaling_available_governors", "performance powersave schedutil");
      write(d / "scaling_min_freq", "800000");
      write(d / "scaling_max_freq", "2400000");
      write(d / "scaling_cur_freq", "2400000");
      write(d / "cpuinfo_min_freq", "800000");
      write(d / "cpuinfo_max_freq", "2400000");
    }
    state_ = dir_ / "state";
    setenv("EDGEJOULE_STATE_DIR", state_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("EDGEJOULE_STATE_DIR");
    CliTest::TearDown();
  }

  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text << "\n"; }
  fs::path policy(int p) const { return root_ / "sys/devices/system/cpu/cpufreq" / ("policy" + std::to_string(p)); }
  std::string max_freq(int p) const { return trim(read_file((policy(p) / "scaling_max_freq").string()).value_or("")); }
  std::string governor(int p) const { return trim(read_file((policy(p) / "scaling_governor").string()).value_or("")); }
  fs::path journal() const { return state_ / "platform-journal.json"; }

  std::vector<std::string> sweep_args(const std::vector<std::string>& extra) const {
    std::vector<std::string> a = {"--sysfs-root", root_.string(), "profile", "--db", db_, "--quiet", "--meter", "none",
                                  kZoo + "/tiny_mlp.pt", "--threads", "1"};
    a.insert(a.end(), kQuick.begin(), kQuick.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // Starts a sweep that changes the frequency, waits until it has changed it, and returns its pid.
  pid_t start_changed_sweep() {
    auto args = sweep_args({"--cpu-max-freq-khz", "1200000", "--allow-platform-changes", "--batch", "1-40"});
    const pid_t pid = testing::spawn(kBinary, args, (dir_ / "out").string(), (dir_ / "err").string());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((points() < 1 || max_freq(1) != "1200000") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pid;
  }

  fs::path root_, state_;
};

TEST_F(PlatformTest, PlatformShowsTheStateAndTheKnobs) {
  const auto r = edgejoule({"--sysfs-root", root_.string(), "platform"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("policy0 (cpus 0): governor schedutil, 800000-2400000 kHz"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--cpu-max-freq-khz       available"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--nvpmodel               not available: no nvpmodel on PATH"), std::string::npos) << r.out;
}

TEST_F(PlatformTest, ThisMachineSaysWhyNoKnobIsAvailable) {
  // The real machine (a VM without cpufreq, NVML or nvpmodel), as the issue asks.
  const auto r = edgejoule({"platform", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& k : nlohmann::json::parse(r.out)["knobs"]) {
    if (k["available"].get<bool>()) GTEST_SKIP() << "this machine offers " << k["knob"];
    EXPECT_FALSE(k["why_not"].get<std::string>().empty()) << k.dump();
  }
}

TEST_F(PlatformTest, SetMeasureAndRestore) {
  const auto r = edgejoule(sweep_args({"--cpu-max-freq-khz", "1200000,2400000", "--cpu-governor", "powersave",
                                       "--allow-platform-changes", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    // Each point ran, and recorded the platform, in its own setting.
    const std::string setting = row["config"]["platform"];
    const std::string khz = setting.find("1200000") != std::string::npos ? "1200000" : "2400000";
    EXPECT_EQ(setting, "cpu_governor=powersave,cpu_max_freq_khz=" + khz);
    for (const auto& p : row["platform_state"]["cpufreq"]) {
      EXPECT_EQ(std::to_string(p["max_khz"].get<long long>()), khz) << row.dump();
      EXPECT_EQ(p["governor"], "powersave");
    }
  }
  // Restored on the normal end, and the journal is gone.
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(max_freq(p), "2400000");
    EXPECT_EQ(governor(p), "schedutil");
  }
  EXPECT_FALSE(fs::exists(journal()));
  EXPECT_NE(r.err.find("platform restored"), std::string::npos) << r.err;
}

TEST_F(PlatformTest, DryRunChangesNothing) {
  const auto r = edgejoule(sweep_args({"--cpu-max-freq-khz", "1200000", "--dry-run"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("would set cpu_max_freq_khz (policy0): 2400000 -> 1200000"), std::string::npos) << r.out;
  EXPECT_EQ(max_freq(0), "2400000");
  EXPECT_FALSE(fs::exists(db_));  // refused before the store is even opened
}

TEST_F(PlatformTest, RefusedWithoutTheFlagOrOutOfRange) {
  expect_bad_input(edgejoule(sweep_args({"--cpu-max-freq-khz", "1200000"})),
                   "--cpu-max-freq-khz would change this machine's power settings: pass --allow-platform-changes");
  expect_bad_input(edgejoule(sweep_args({"--cpu-max-freq-khz", "9900000", "--allow-platform-changes"})),
                   "outside policy0's range 800000-2400000 kHz");
  expect_bad_input(edgejoule(sweep_args({"--cpu-governor", "turbo", "--allow-platform-changes"})),
                   "--cpu-governor turbo is not offered by policy0");
  expect_bad_input(edgejoule(sweep_args({"--gpu-power-limit-w", "200", "--allow-platform-changes"})),
                   "cannot set gpu_power_limit_w: no NVIDIA GPU");
  EXPECT_EQ(max_freq(0), "2400000");
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(PlatformTest, RefusedWithoutPrivileges) {
  if (::geteuid() != 0) {
    // An unprivileged user cannot write cpufreq files; here the fake tree is made read-only.
    fs::permissions(policy(0) / "scaling_max_freq", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    expect_bad_input(edgejoule(sweep_args({"--cpu-max-freq-khz", "1200000", "--allow-platform-changes"})),
                     "needs root, on a device you own");
    return;
  }
  // As root every file is writable: run as nobody, as an unprivileged user would.
  if (std::system("command -v setpriv > /dev/null") != 0) GTEST_SKIP() << "setpriv (util-linux) is missing";
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  if (std::system((as_nobody + kBinary + " --version > /dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << "user nobody cannot run " << kBinary << " (a folder above it is not searchable)";
  }
  fs::permissions(dir_, fs::perms::all, fs::perm_options::add);
  std::string cmd = as_nobody + kBinary;
  for (const auto& a : sweep_args({"--cpu-max-freq-khz", "1200000", "--allow-platform-changes"})) cmd += " '" + a + "'";
  cmd += " > " + (dir_ / "nobody.out").string() + " 2> " + (dir_ / "nobody.err").string();
  const int status = std::system(cmd.c_str());
  const std::string err = read_file((dir_ / "nobody.err").string()).value_or("");
  EXPECT_EQ(WEXITSTATUS(status), 2) << err;
  EXPECT_NE(err.find("is not writable"), std::string::npos) << err;
  EXPECT_NE(err.find("needs root, on a device you own"), std::string::npos) << err;
  EXPECT_EQ(max_freq(0), "2400000");
}

TEST_F(PlatformTest, RestoredAfterSigterm) {
  const pid_t pid = start_changed_sweep();
  ASSERT_EQ(max_freq(1), "1200000");
  ASSERT_TRUE(fs::exists(journal()));
  kill(pid, SIGTERM);
  EXPECT_EQ(testing::wait_exit(pid), 130) << read_file((dir_ / "err").string()).value_or("");
  EXPECT_EQ(max_freq(0), "2400000");
  EXPECT_EQ(max_freq(1), "2400000");
  EXPECT_FALSE(fs::exists(journal()));
  EXPECT_GE(points(), 1);  // what was measured stays
}

TEST_F(PlatformTest, AKilledRunIsRestoredByTheNextStart) {
  const pid_t pid = start_changed_sweep();
  kill(pid, SIGKILL);
  testing::wait_exit(pid);
  // Killed: nothing could restore; the journal says what to put back.
  EXPECT_EQ(max_freq(0), "1200000");
  ASSERT_TRUE(fs::exists(journal()));
  const auto j = nlohmann::json::parse(read_file(journal().string()).value());
  EXPECT_EQ(j["changes"].size(), 2u);
  // Any next command restores first, and says so.
  const auto r = edgejoule({"list", "--db", db_});
  EXPECT_NE(r.err.find("restored the platform settings a killed run left changed"), std::string::npos) << r.err;
  EXPECT_EQ(max_freq(0), "2400000");
  EXPECT_EQ(max_freq(1), "2400000");
  EXPECT_FALSE(fs::exists(journal()));
  EXPECT_EQ(integrity(), "ok");
}

TEST_F(PlatformTest, GpuPowerLimitThroughNvmlIsSetAndRestored) {
  const std::string state = (dir_ / "nvml-state").string();
  std::ofstream(state) << "300000 0 0\n";
  setenv("EDGEJOULE_NVML_LIBRARY", EDGEJOULE_FAKE_NVML, 1);
  setenv("FAKE_NVML_STATE", state.c_str(), 1);
  const auto r = edgejoule(sweep_args({"--gpu-power-limit-w", "150,250", "--gpu-locked-clocks-mhz", "1410",
                                       "--allow-platform-changes", "--json", "--device", "cuda"}));
  // No CUDA here: the points are UNSUPPORTED, but each was recorded under its GPU setting.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    const std::string setting = row["config"]["platform"];
    const double watts = setting.find("150") != std::string::npos ? 150 : 250;
    EXPECT_DOUBLE_EQ(row["platform_state"]["gpus"][0]["power_limit_w"].get<double>(), watts) << row.dump();
    EXPECT_EQ(row["platform_state"]["gpus"][0]["sm_clock_mhz"], 1410) << row.dump();
  }
  EXPECT_EQ(trim(read_file(state).value()), "300000 0 0");  // limit back, clocks reset
  // Without privileges NVML refuses, and the message says what is needed. The CPU frequency,
  // changed first in the same setting, is restored on this error path too.
  setenv("FAKE_NVML_NO_PERMISSION", "1", 1);
  const auto refused = edgejoule(
      sweep_args({"--cpu-max-freq-khz", "1200000", "--gpu-power-limit-w", "150", "--allow-platform-changes"}));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("Insufficient Permissions (needs root, on a device you own)"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("platform restored: cpu_max_freq_khz: 2400000"), std::string::npos) << refused.err;
  EXPECT_EQ(max_freq(0), "2400000");
  EXPECT_EQ(max_freq(1), "2400000");
  EXPECT_FALSE(fs::exists(journal()));
  unsetenv("FAKE_NVML_NO_PERMISSION");
  unsetenv("EDGEJOULE_NVML_LIBRARY");
  unsetenv("FAKE_NVML_STATE");
  EXPECT_EQ(trim(read_file(state).value()), "300000 0 0");
}

TEST_F(PlatformTest, JetsonPowerModeThroughNvpmodelIsSetAndRestored) {
  // A fake nvpmodel: -q prints the mode, -m N sets it (kept in a file).
  const fs::path bin = dir_ / "bin";
  fs::create_directories(bin);
  const std::string mode_file = (dir_ / "nvpmodel-mode").string();
  std::ofstream(mode_file) << "0\n";
  std::ofstream(bin / "nvpmodel") << "#!/bin/sh\n"
                                     "f='" << mode_file << "'\n"
                                     "if [ \"$1\" = -q ]; then m=$(cat \"$f\"); echo \"NV Power Mode: MODE_$m\"; echo $m;\n"
                                     "elif [ \"$1\" = -m ]; then echo \"$2\" > \"$f\"; else exit 1; fi\n";
  fs::permissions(bin / "nvpmodel", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read |
                                        fs::perms::group_exec | fs::perms::others_exec);
  const std::string path = bin.string() + ":" + std::getenv("PATH");
  const std::string old_path = std::getenv("PATH");
  setenv("PATH", path.c_str(), 1);
  const auto shown = edgejoule({"--sysfs-root", root_.string(), "platform"});
  EXPECT_NE(shown.out.find("nvpmodel mode MODE_0 (0)"), std::string::npos) << shown.out;
  const auto r = edgejoule(sweep_args({"--nvpmodel", "2", "--allow-platform-changes", "--json"}));
  setenv("PATH", old_path.c_str(), 1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["platform_state"]["jetson"]["nvpmodel_mode"], "MODE_2");
  EXPECT_EQ(trim(read_file(mode_file).value()), "0");
}

}  // namespace
}  // namespace edgejoule
