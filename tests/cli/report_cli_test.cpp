// report and export as a user meets them; the report opened in a real headless Chromium.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "common/strings.h"
#include "report/html_report.h"
#include "support/synthetic_store.h"

namespace edgejoule {
namespace {

using testing::CliTest;
using testing::write_store;
namespace fs = std::filesystem;

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      const size_t end = dirs.find(':', start);
      const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
      if (fs::exists(candidate)) return candidate.string();
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return "";
}

class ReportCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    auto zoo = testing::synthetic_zoo();
    zoo.insert(zoo.end(), {{"digits", 0.001, 91.0, 1, "VALID", "measured:rapl:package-0", "fmnist:test"},
                           {"digits-wide", 0.003, 92.0, 2, "VALID", "measured:rapl:package-0", "fmnist:test"}});
    write_store(db_, zoo);
  }
};

TEST_F(ReportCli, WritesOneOfflineFileWithEveryPointAndTheInvalidOnesListed) {
  const std::string out = (dir_ / "report.html").string();
  const auto r = edgejoule({"report", "--db", db_, "--out", out, "--budget-j", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("report: " + out), std::string::npos) << r.out;
  const std::string html = read_file(out).value();
  // Offline: no external script, stylesheet or fetch (the $schema URL is an identifier, not loaded).
  EXPECT_EQ(std::regex_search(html, std::regex(R"(<script[^>]+src=)")), false);
  EXPECT_EQ(std::regex_search(html, std::regex(R"(<link[^>]+href=)")), false);
  EXPECT_NE(html.find("Accuracy on synthetic-1k"), std::string::npos);
  EXPECT_NE(html.find("Accuracy on fmnist:test"), std::string::npos);
  EXPECT_NE(html.find("Recommended for 50 mJ per inference:</b> medium"), std::string::npos);
  EXPECT_NE(html.find("<li><b>noisy</b>"), std::string::npos);
  EXPECT_NE(html.find("window cv 0.4 &gt; 0.1"), std::string::npos);
  EXPECT_NE(html.find("measured:rapl:package-0"), std::string::npos);
  EXPECT_NE(html.find("declared:synthetic"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + ".tmp"));
}

TEST_F(ReportCli, BadArgumentsAreClearErrors) {
  expect_bad_input(edgejoule({"report", "--db", (dir_ / "none.db").string(), "--out", (dir_ / "r.html").string()}),
                   "none.db");
  expect_bad_input(edgejoule({"report", "--db", db_, "--out", (dir_ / "no-such-dir" / "r.html").string()}),
                   "cannot write the report");
  expect_bad_input(edgejoule({"report", "--db", db_, "--budget-j", "0"}), "--energy-budget-j must be a positive");
  expect_bad_input(edgejoule({"report", "--db", db_, "--energy-budget-j", "-1"}), "--energy-budget-j must be a positive");
  EXPECT_EQ(edgejoule({"export", "--db", db_, "--format", "xml"}).exit_code, 2);
}

TEST_F(ReportCli, ExportsCarryEveryPointInEachFormat) {
  const auto csv = edgejoule({"export", "--db", db_, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 1 + 8);
  const auto md = edgejoule({"export", "--db", db_, "--format", "md"});
  EXPECT_EQ(std::count(md.out.begin(), md.out.end(), '\n'), 2 + 8);
  const auto js = edgejoule({"export", "--db", db_, "--format", "json"});
  EXPECT_EQ(nlohmann::json::parse(js.out).size(), 8u);
}

// The report in a real browser renders one mark per stored point in every chart, with
// no console error, and a screenshot is kept.
TEST_F(ReportCli, RendersInHeadlessChromiumWithOneMarkPerPoint) {
  if (!report_charts_available()) GTEST_SKIP() << "built with -DEDGEJOULE_WITH_REPORT_CHARTS=OFF";
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "Chromium is not installed (Debian: apt-get install chromium)";
  const std::string out = (dir_ / "report.html").string();
  ASSERT_EQ(edgejoule({"report", "--db", db_, "--out", out, "--budget-j", "0.05"}).exit_code, 0);
  const std::vector<std::string> common = {"--headless", "--no-sandbox", "--disable-gpu",
                                           "--user-data-dir=" + (dir_ / "chromium-profile").string(),
                                           "--virtual-time-budget=30000", "--enable-logging=stderr", "--v=0"};
  auto args = common;
  args.push_back("--dump-dom");
  args.push_back("file://" + out);
  const auto dom = testing::run(chromium, args);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom.out, m, std::regex(R"(id="edgejoule-render-check"[^>]*>([^<]*)<)")))
      << dom.out.substr(0, 2000);
  const auto check = nlohmann::json::parse(m[1].str());
  EXPECT_TRUE(check["errors"].empty()) << check["errors"].dump();
  // Console errors Chromium itself logged for the page (not its own D-Bus noise).
  EXPECT_EQ(dom.err.find(":CONSOLE("), std::string::npos) << dom.err;
  // What the store holds, counted independently of the report.
  const int64_t synthetic = query(
      "SELECT count(*) FROM points p JOIN models m ON m.id = p.model_id WHERE p.status = 'VALID' "
      "AND m.accuracy_dataset = 'synthetic-1k'");
  const int64_t fmnist = query(
      "SELECT count(*) FROM points p JOIN models m ON m.id = p.model_id WHERE p.status = 'VALID' "
      "AND m.accuracy_dataset = 'fmnist:test'");
  const int64_t valid = query("SELECT count(*) FROM points WHERE status = 'VALID'");
  ASSERT_EQ(synthetic, 5);
  ASSERT_EQ(fmnist, 2);
  const auto& charts = check["charts"];
  EXPECT_EQ(charts["accuracy-energy-1"]["rendered"].get<int64_t>(), synthetic) << charts.dump();
  EXPECT_EQ(charts["accuracy-per-joule-1"]["rendered"].get<int64_t>(), synthetic);
  EXPECT_EQ(charts["marginal-cost-1"]["rendered"].get<int64_t>(), synthetic - 1);  // all five are on the frontier
  EXPECT_EQ(charts["accuracy-energy-2"]["rendered"].get<int64_t>(), fmnist);
  EXPECT_EQ(charts["accuracy-per-joule-2"]["rendered"].get<int64_t>(), fmnist);
  EXPECT_EQ(charts["latency-energy"]["rendered"].get<int64_t>(), valid);
  EXPECT_EQ(charts["energy-flops"]["rendered"].get<int64_t>(), valid);
  for (const auto& [id, c] : charts.items()) EXPECT_EQ(c["rendered"], c["expected"]) << id;
  // The budget slider of each dataset, moved to its ends and middle: the cheapest budget buys the
  // cheapest point alone, the middle one a mix of two frontier points, the top the most accurate.
  ASSERT_TRUE(check["sliders"].contains("budget-slider-1")) << check.dump();
  const auto& slider = check["sliders"]["budget-slider-1"];
  EXPECT_EQ(slider["stops"], 61);
  const auto shown = slider["shown"].get<std::vector<std::string>>();
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_NE(shown[0].find("alone"), std::string::npos) << shown[0];
  EXPECT_NE(shown[1].find("Mix: "), std::string::npos) << shown[1];
  EXPECT_NE(shown[1].find(" % for "), std::string::npos) << shown[1];
  EXPECT_NE(shown[1].find("expected top-1"), std::string::npos) << shown[1];
  EXPECT_NE(shown[2].find("alone"), std::string::npos) << shown[2];
  EXPECT_TRUE(check["sliders"].contains("budget-slider-2")) << check.dump();

  // The screenshot, kept beside the test's build for a look (and for docs/ by hand).
  const std::string shot = (fs::path(EDGEJOULE_TEST_ARTIFACTS) / "report-screenshot.png").string();
  fs::create_directories(EDGEJOULE_TEST_ARTIFACTS);
  args = common;
  args.insert(args.end(), {"--hide-scrollbars", "--window-size=1200,2000", "--screenshot=" + shot, "file://" + out});
  const auto s = testing::run(chromium, args);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_GT(fs::file_size(shot), 10000u);
}

}  // namespace
}  // namespace edgejoule
