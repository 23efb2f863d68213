// The platform knobs' sweep lists become canonical settings, which parse back; a point reads the
// GPU's state with it only when it runs on the GPU or sets a GPU knob.
#include "platform/knobs.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace edgejoule {
namespace {

TEST(PlatformKnobs, ListsBecomeCanonicalSettingsThatParseBack) {
  PlatformKnobLists lists;
  EXPECT_EQ(platform_settings(lists), std::vector<std::string>{""});
  lists.nvpmodel = {"0", "2"};
  lists.cpu_governor = {"powersave"};
  const auto settings = platform_settings(lists);
  ASSERT_EQ(settings, (std::vector<std::string>{"cpu_governor=powersave,nvpmodel=0", "cpu_governor=powersave,nvpmodel=2"}));
  const auto knobs = parse_platform_setting(settings[1]);
  EXPECT_EQ(knobs.at("cpu_governor"), "powersave");
  EXPECT_EQ(knobs.at("nvpmodel"), "2");
  EXPECT_TRUE(parse_platform_setting("").empty());
  EXPECT_THROW(parse_platform_setting("nvpmodel"), Error);
  lists.nvpmodel = {"two"};
  EXPECT_THROW(platform_settings(lists), Error);
}

TEST(PlatformKnobs, APointUsesTheGpuOnCudaOrWithAGpuKnob) {
  EXPECT_TRUE(point_uses_gpu("cuda", ""));
  EXPECT_TRUE(point_uses_gpu("cpu", "gpu_power_limit_w=150"));
  EXPECT_TRUE(point_uses_gpu("cpu", "cpu_governor=performance,gpu_locked_clocks_mhz=1200"));
  EXPECT_FALSE(point_uses_gpu("cpu", ""));
  EXPECT_FALSE(point_uses_gpu("cpu", "cpu_governor=performance,nvpmodel=0"));
}

}  // namespace
}  // namespace edgejoule
