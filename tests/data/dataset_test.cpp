#include <zlib.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "data/dataset.h"
#include "engines/engine.h"

namespace edgejoule {
namespace {

namespace fs = std::filesystem;

std::string idx_bytes(std::vector<uint32_t> dims, const std::vector<uint8_t>& data, uint8_t type = 0x08) {
  std::string out = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((d >> shift) & 0xff));
  }
  out.append(data.begin(), data.end());
  return out;
}

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("dataset_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string plain(const std::string& name, const std::string& bytes) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string gz(const std::string& name, const std::string& bytes) {
    const auto p = (dir_ / name).string();
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return p;
  }
  // 3 images of 2x2 pixels and their labels.
  std::string images() { return idx_bytes({3, 2, 2}, {0, 255, 0, 255, 10, 20, 30, 40, 255, 255, 255, 255}); }
  std::string labels() { return idx_bytes({3}, {1, 0, 2}); }

  void expect_error(const std::function<void()>& f, const std::string& text) {
    try {
      f();
      ADD_FAILURE() << "no error; expected '" << text << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
      EXPECT_EQ(e.exit_code(), 2);
    }
  }
  fs::path dir_;
};

TEST_F(DatasetTest, ReadsGzipAndPlainIdx) {
  for (bool compressed : {true, false}) {
    const auto img = compressed ? gz("i.gz", images()) : plain("i", images());
    const auto lab = compressed ? gz("l.gz", labels()) : plain("l", labels());
    auto ds = make_idx_dataset("toy", img, lab, 0);
    EXPECT_EQ(ds->size(), 3u);
    EXPECT_EQ(ds->classes(), 3);
    EXPECT_EQ(ds->sample_shape(), (std::vector<int64_t>{1, 2, 2}));
    EXPECT_EQ(ds->label(2), 2);
    std::vector<float> x(4);
    Preprocess p;
    ds->fill(0, p, {1, 2, 2}, x.data());
    EXPECT_FLOAT_EQ(x[1], 1.0f);
    p.mean = {0.5};
    p.std = {0.5};
    ds->fill(2, p, {1, 2, 2}, x.data());
    EXPECT_FLOAT_EQ(x[0], 1.0f);
  }
  EXPECT_EQ(make_idx_dataset("toy", plain("i", images()), plain("l", labels()), 2)->size(), 2u);
}

TEST_F(DatasetTest, HostileFilesAreRefusedNamingTheFile) {
  const auto lab = plain("l", labels());
  const auto truncated = images().substr(0, images().size() - 3);
  expect_error([&] { make_idx_dataset("t", plain("trunc", truncated), lab, 0); }, "trunc' is not a valid IDX file: the header promises 12 bytes");
  expect_error([&] { make_idx_dataset("t", plain("magic", "GIF89a..."), lab, 0); }, "magic' is not a valid IDX file: wrong magic");
  expect_error([&] { make_idx_dataset("t", plain("float", idx_bytes({3, 2, 2}, std::vector<uint8_t>(48), 0x0D)), lab, 0); },
               "only unsigned bytes");
  expect_error([&] { make_idx_dataset("t", plain("hdr", std::string("\0\0\x08\x03\0\0", 6)), lab, 0); }, "truncated header");
  expect_error([&] { make_idx_dataset("t", plain("i", images()), plain("l4", idx_bytes({4}, {0, 1, 2, 3})), 0); },
               "has 3 images in");
  expect_error([&] { make_idx_dataset("t", plain("l", labels()), lab, 0); }, "images need 3");
  expect_error([&] { make_idx_dataset("t", plain("i", images()), (dir_ / "nope").string(), 0); }, "nope' does not exist");
  const auto damaged = gz("d.gz", images());
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.write("\xff\xff\xff\xff", 4);
  }
  EXPECT_THROW(make_idx_dataset("t", damaged, lab, 0), Error);
}

TEST_F(DatasetTest, SpecsAreCheckedAndNameTheChoices) {
  expect_error([] { make_dataset("imagenet:val"); }, "choose fmnist:test");
  expect_error([] { make_dataset("imagefolder:/nonexistent,limit=3"); }, "'/nonexistent' does not exist");
  expect_error([] { make_dataset("fmnist:test,limit=0"); }, "limit must be a positive integer");
  expect_error([] { make_dataset("idx:only-one-file"); }, "idx:IMAGES,LABELS");
}

// Scores every sample with class (index % 3) highest and the label's class second.
class ScriptedClassifier : public Engine {
 public:
  explicit ScriptedClassifier(int64_t width) : width_(width) {}
  std::string name() const override { return "scripted"; }
  void load(const std::filesystem::path&, const EngineOptions&) override {}
  void prepare(const std::vector<int64_t>&) override {}
  void run() override {}
  int prepare_requests(int) override { return 1; }
  void run_request(int) override {}
  std::vector<float> request_output(int) const override { return {}; }
  std::vector<float> infer(const std::vector<float>& input, const std::vector<int64_t>& shape, int64_t* width) override {
    *width = width_;
    std::vector<float> out(static_cast<size_t>(shape[0] * width_), 0.0f);
    for (int64_t i = 0; i < shape[0]; ++i) {
      // The first pixel encodes the sample index in these tests.
      const int index = static_cast<int>(input[static_cast<size_t>(i) * 4] * 255.0f + 0.5f);
      out[static_cast<size_t>(i * width_ + index % 3)] = 2.0f;
    }
    return out;
  }
  EffectiveSettings runtime() const override { return {}; }

 private:
  int64_t width_;
};

TEST_F(DatasetTest, AccuracyCountsTopOneAndTopK) {
  // Six samples whose first pixel is their index; labels 0,1,2,2,2,2.
  std::vector<uint8_t> px;
  for (uint8_t i = 0; i < 6; ++i) px.insert(px.end(), {i, 0, 0, 0});
  auto ds = make_idx_dataset("six", plain("i", idx_bytes({6, 2, 2}, px)), plain("l", idx_bytes({6}, {0, 1, 2, 2, 2, 2})), 0);
  ScriptedClassifier engine(3);
  const auto r = measure_accuracy(engine, *ds, Preprocess{}, {1, 2, 2}, /*batch=*/4);
  // Predictions are index % 3 = 0,1,2,0,1,2: right for samples 0, 1, 2 and 5.
  EXPECT_NEAR(r.top1, 100.0 * 4 / 6, 1e-9);
  EXPECT_NEAR(r.top5, 100.0, 1e-9);  // 3 classes: top-3 always holds the label
  EXPECT_EQ(r.samples, 6u);
  EXPECT_EQ(r.source, "measured:six:6");

  ScriptedClassifier wide(1000);
  // A quantised model's scores tie: the tie goes to the lower class index, as an argmax does, not
  // to the label. Every score 0 here: class 0 wins, so only the sample labelled 0 is right.
  class Flat : public ScriptedClassifier {
   public:
    Flat() : ScriptedClassifier(3) {}
    std::vector<float> infer(const std::vector<float>&, const std::vector<int64_t>& shape, int64_t* width) override {
      *width = 3;
      return std::vector<float>(static_cast<size_t>(shape[0] * 3), 0.0f);
    }
  } flat;
  const auto tied = measure_accuracy(flat, *ds, Preprocess{}, {1, 2, 2});
  EXPECT_NEAR(tied.top1, 100.0 / 6, 1e-9);
  EXPECT_NEAR(tied.top5, 100.0, 1e-9);
  expect_error([&] { measure_accuracy(wide, *ds, Preprocess{}, {1, 2, 2}); }, "outputs 1000 scores per sample but dataset six has 3 classes");
  expect_error([&] { measure_accuracy(engine, *ds, Preprocess{}, {3, 224, 224}); }, "takes samples of shape 3x224x224");
}

// ---- image folders (PPM/PGM written by hand: OpenCV decodes them) -----------------------------

std::string ppm(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  std::string s = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
  for (int i = 0; i < w * h; ++i) s += {static_cast<char>(r), static_cast<char>(g), static_cast<char>(b)};
  return s;
}

TEST_F(DatasetTest, ImageFolderClassesFromSubFoldersAndPreprocessing) {
  fs::create_directories(dir_ / "imgs/cat");
  fs::create_directories(dir_ / "imgs/dog");
  plain("imgs/cat/a.ppm", ppm(8, 6, 255, 0, 0));
  plain("imgs/cat/b.ppm", ppm(8, 6, 255, 0, 0));
  plain("imgs/dog/c.ppm", ppm(6, 6, 0, 0, 255));
  plain("imgs/dog/notes.txt", "not an image, not counted");
  auto ds = make_dataset("imagefolder:" + (dir_ / "imgs").string());
  EXPECT_EQ(ds->size(), 3u);
  EXPECT_EQ(ds->classes(), 2);
  EXPECT_EQ(ds->label(0), 0);
  EXPECT_EQ(ds->label(2), 1);
  EXPECT_TRUE(ds->sample_shape().empty());
  Preprocess p;
  p.resize = 6;
  p.crop = 4;
  p.mean = {0.5, 0.5, 0.5};
  p.std = {0.5, 0.5, 0.5};
  std::vector<float> x(3 * 4 * 4);
  ds->fill(0, p, {3, 4, 4}, x.data());
  EXPECT_FLOAT_EQ(x[0], 1.0f);            // red channel: (1 - 0.5) / 0.5
  EXPECT_FLOAT_EQ(x[16], -1.0f);          // green channel, channels first
  ds->fill(2, p, {3, 4, 4}, x.data());
  EXPECT_FLOAT_EQ(x[2 * 16 + 5], 1.0f);   // blue
  std::vector<float> gray(16);
  ds->fill(2, Preprocess{}, {1, 4, 4}, gray.data());  // decoded as grey for 1-channel models
  EXPECT_NEAR(gray[0], 29.0 / 255.0, 1.0 / 255.0);    // BT.601 luma of pure blue
  EXPECT_EQ(make_dataset("imagefolder:" + (dir_ / "imgs").string() + ",limit=2")->size(), 2u);
  EXPECT_EQ(make_dataset("imagefolder:" + (dir_ / "imgs").string() + ",classes=10")->classes(), 10);
}

TEST_F(DatasetTest, ImageFolderRefusesUnknownClassesDamagedImagesAndBadCsv) {
  fs::create_directories(dir_ / "imgs/cat");
  fs::create_directories(dir_ / "imgs/zebra");
  plain("imgs/cat/a.ppm", ppm(4, 4, 1, 2, 3));
  plain("imgs/zebra/z.ppm", ppm(4, 4, 1, 2, 3));
  plain("imgs/classes.txt", "cat\ndog\n");
  expect_error([&] { make_dataset("imagefolder:" + (dir_ / "imgs").string()); }, "class folder 'zebra' that");
  fs::remove(dir_ / "imgs/classes.txt");

  plain("imgs/cat/broken.png", "this is not a PNG");
  auto ds = make_dataset("imagefolder:" + (dir_ / "imgs").string());
  std::vector<float> x(3 * 4 * 4);
  expect_error([&] { ds->fill(1, Preprocess{}, {3, 4, 4}, x.data()); }, "broken.png' could not be decoded");

  fs::create_directories(dir_ / "csv");
  plain("csv/labels.csv", "file,label\na.ppm,3\nb.ppm,x\n");
  expect_error([&] { make_dataset("imagefolder:" + (dir_ / "csv").string()); }, "line 3: expected file,label");
  plain("csv/labels.csv", "file,label\na.ppm,3\n");
  plain("csv/a.ppm", ppm(4, 4, 9, 9, 9));
  auto csv = make_dataset("imagefolder:" + (dir_ / "csv").string());
  EXPECT_EQ(csv->classes(), 4);
  EXPECT_EQ(csv->label(0), 3);
  fs::create_directories(dir_ / "empty");
  expect_error([&] { make_dataset("imagefolder:" + (dir_ / "empty").string()); }, "holds no images");
}

}  // namespace
}  // namespace edgejoule
