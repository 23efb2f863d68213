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

// Knobs are sweep dimensions; at their defaults they leave the key as it was, so stores from
// before them keep matching (and resuming).
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

// The scenario fields: single-stream is the default and leaves every key as it was; the
// concurrency applies to offline and server only, the rate and the latency bound to server only,
// so a sweep of scenarios makes one single-stream configuration, not one per rate.
TEST(Sweep, ScenariosAreDimensionsAndSingleStreamKeepsOldKeys) {
  SweepLists lists;
  lists.knobs["scenario"] = {"single-stream", "offline", "server"};
  lists.knobs["concurrency"] = parse_field_list("1,auto", config_field("concurrency"));
  lists.knobs["rate"] = parse_field_list("5,10.0", config_field("rate"));
  const auto configs = expand(lists, {3, 8, 8});
  std::vector<std::string> keys;
  for (const auto& c : configs) keys.push_back(c.key());
  const std::string base = "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=1;shape=3x8x8";
  EXPECT_EQ(keys, (std::vector<std::string>{
                      base,
                      base + ";scenario=offline",
                      base + ";scenario=offline;concurrency=auto",
                      base + ";scenario=server;rate=5",
                      base + ";scenario=server;rate=10",
                      base + ";scenario=server;concurrency=auto;rate=5",
                      base + ";scenario=server;concurrency=auto;rate=10",
                  }));
  EXPECT_EQ(configs.back().describe(), "torchscript cpu fp32 b1 t1 server xauto 10/s");
  EXPECT_EQ(Configuration{}.key(), "engine=torchscript;device=cpu;precision=fp32;batch=1;threads=1;shape=");
}

TEST(Sweep, ScenarioFlagsThatCannotApplyAreTheUsersToFix) {
  auto expect_error = [](SweepLists lists, const std::string& text) {
    try {
      expand(lists, {3, 8, 8});
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  SweepLists rate_alone;
  rate_alone.knobs["rate"] = {"10"};
  expect_error(rate_alone, "--rate applies only with --scenario server");
  SweepLists offline_rate;
  offline_rate.knobs["scenario"] = {"offline"};
  offline_rate.knobs["rate"] = {"10"};
  expect_error(offline_rate, "--rate applies only with --scenario server");
  SweepLists bound;
  bound.knobs["latency_bound_ms"] = {"20"};
  expect_error(bound, "--latency-bound-ms applies only with --scenario server");
  SweepLists concurrency;
  concurrency.knobs["concurrency"] = {"4"};
  expect_error(concurrency, "--concurrency applies only with --scenario offline or --scenario server");
  SweepLists server;
  server.knobs["scenario"] = {"server"};
  expect_error(server, "--scenario server needs --rate R");

  auto expect_bad_value = [](const std::string& field, const std::string& text, const std::string& message) {
    try {
      parse_field_list(text, config_field(field));
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), exit_code::kBadInput);
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  expect_bad_value("concurrency", "0", "invalid value '0' for --concurrency: give a whole number from 1 to 4096, or 1, auto");
  expect_bad_value("concurrency", "two", "invalid value 'two' for --concurrency");
  expect_bad_value("rate", "-3", "invalid value '-3' for --rate: give a number above 0");
  expect_bad_value("rate", "fast", "invalid value 'fast' for --rate");
  expect_bad_value("scenario", "batch", "unknown value 'batch' for --scenario: choose from single-stream, offline, server");
}

}  // namespace
}  // namespace edgejoule
