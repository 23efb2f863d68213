// The configuration field table (core/config_fields.cpp) itself: what every entry must be for the
// flags, keys, store columns and outputs generated from it to work.
#include "core/config_fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "engines/engine.h"

namespace edgejoule {
namespace {

TEST(ConfigFields, EveryEntryIsWellFormed) {
  const auto known = known_engines();
  std::set<std::string> names, flags;
  for (const auto& f : config_fields()) {
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(names.insert(f.name).second) << "name used twice";
    EXPECT_TRUE(flags.insert(f.flag).second) << "flag used twice";
    EXPECT_EQ(f.flag.rfind("--", 0), 0u);
    // A store column and a key fragment: lower case, digits and underscores only.
    EXPECT_TRUE(std::all_of(f.name.begin(), f.name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }));
    ASSERT_FALSE(f.values.empty());
    EXPECT_FALSE(f.help.empty());
    for (const auto& e : f.engines) EXPECT_NE(std::find(known.begin(), known.end(), e), known.end()) << e;
    if (f.is_switch) EXPECT_EQ(f.values, (std::vector<std::string>{"off", "on"}));
    // The default leaves keys as they were: no label for it.
    EXPECT_EQ(f.label_for(f.default_value()), "");
    for (const auto& v : f.values) EXPECT_EQ(f.parse_value(v), v);
    if (!f.applies_with.empty()) {
      const ConfigField& other = config_field(f.applies_with);
      for (const auto& v : f.applies_with_values) {
        EXPECT_NE(std::find(other.values.begin(), other.values.end(), v), other.values.end()) << v;
      }
      // It applies nowhere at the other field's default, so old keys stay valid.
      EXPECT_FALSE(field_applies(f, {}));
    }
  }
}

TEST(ConfigFields, NumericFieldsTakeNumbersInCanonicalForm) {
  EXPECT_EQ(config_field("rate").parse_value(" 15.0 "), "15");
  EXPECT_EQ(config_field("rate").parse_value("2.5"), "2.5");
  EXPECT_EQ(config_field("concurrency").parse_value("8"), "8");
  EXPECT_EQ(config_field("concurrency").parse_value("auto"), "auto");
  EXPECT_EQ(knob_number({{"rate", "2.5"}}, "rate"), 2.5);
  EXPECT_EQ(knob_number({}, "rate"), std::nullopt);
  EXPECT_EQ(knob_number({}, "concurrency"), 1);
  EXPECT_EQ(knob_number({{"concurrency", "auto"}}, "concurrency"), std::nullopt);
  EXPECT_THROW(config_field("optimize").parse_value("maybe"), Error);
}

}  // namespace
}  // namespace edgejoule
