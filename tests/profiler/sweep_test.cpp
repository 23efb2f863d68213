#include "profiler/sweep.h"

#include <gtest/gtest.h>

#include <set>

#include "common/error.h"

namespace edgejoule {
namespace {

TEST(SweepLists, ListsRangesAndSteps) {
  EXPECT_EQ(parse_int_list("1,8,32", "--batch"), (std::vector<int>{1, 8, 32}));
  EXPECT_EQ(parse_int_list("1-4", "--batch"), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(parse_int_list("1-64*2", "--batch"), (std::vector<int>{1, 2, 4, 8, 16, 32, 64}));
  EXPECT_EQ(parse_int_list("8-32+8", "--batch"), (std::vector<int>{8, 16, 24, 32}));
  EXPECT_EQ(parse_int_list("1,2,1-3", "--threads"), (std::vector<int>{1, 2, 3}));  // de-duplicated
}

TEST(SweepLists, BadListsNameTheFlag) {
  for (const char* bad : {"", "0", "-1", "a", "1,,2", "4-1", "1-8*1", "1-9999999", "1.5"}) {
    try {
      parse_int_list(bad, "--batch");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--batch"), std::string::npos) << e.what();
      EXPECT_EQ(e.exit_code(), 2);
    }
  }
}

TEST(SweepLists, NameListsCheckChoices) {
  EXPECT_EQ(parse_name_list("cpu, cuda,cpu", "--device", {"cpu", "cuda"}),
            (std::vector<std::string>{"cpu", "cuda"}));
  EXPECT_THROW(parse_name_list("gpu", "--device", {"cpu", "cuda"}), Error);
  EXPECT_THROW(parse_name_list("cpu,", "--device", {"cpu", "cuda"}), Error);
}

TEST(Sweep, ExpandsEveryCombination) {
  SweepLists lists;
  lists.precisions = {"fp32", "bf16"};
  lists.batches = {1, 8};
  lists.threads = {1, 2};
  const auto configs = expand(lists, {3, 224, 224});
  ASSERT_EQ(configs.size(), 8u);
  EXPECT_EQ(configs.front().key(),
            "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=1;shape=3x224x224");
  EXPECT_EQ(configs.back().key(),
            "engine=torchscript;device=cpu;precision=bf16;batch=8;threads=2;shape=3x224x224");
  EXPECT_EQ(configs.back().input_shape(), (std::vector<int64_t>{8, 3, 224, 224}));
  std::set<std::string> keys;
  for (const auto& c : configs) keys.insert(c.key());
  EXPECT_EQ(keys.size(), 8u);
}

// Issue 6's knobs are sweep dimensions; at their defaults they leave the key as it was, so
// stores from before them keep matching (and resuming).
TEST(Sweep, OptimizeMemoryFormatAndPlatformAreDimensionsAndDefaultsKeepOldKeys) {
  SweepLists lists;
  lists.knobs["optimize"] = {"off", "on"};
  lists.knobs["memory_format"] = {"contiguous", "channels_last"};
  lists.platforms = {"", "cpu_max_freq_khz=1200000"};
  const auto configs = expand(lists, {3, 8, 8});
  ASSERT_EQ(configs.size(), 8u);
  EXPECT_EQ(configs.front().key(), "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=1;shape=3x8x8");
  EXPECT_EQ(configs.back().key(),
            "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=1;shape=3x8x8;optimize=on;"
            "memory_format=channels_last;platform=cpu_max_freq_khz=1200000");
  EXPECT_EQ(configs.back().describe(), "torchscript cpu fp32 b1 t1 opt cl [cpu_max_freq_khz=1200000]");
  // The platform is outermost: one change of the platform per setting, not per point.
  EXPECT_EQ(configs[3].platform, "");
  EXPECT_EQ(configs[4].platform, "cpu_max_freq_khz=1200000");
  std::set<std::string> keys;
  for (const auto& c : configs) keys.insert(c.key());
  EXPECT_EQ(keys.size(), 8u);
}

}  // namespace
}  // namespace edgejoule
