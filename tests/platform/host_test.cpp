#include "platform/host.h"

#include <gtest/gtest.h>

namespace edgejoule {
namespace {

const std::string kFixtures = EDGEJOULE_TEST_FIXTURES;

TEST(Host, ReadsAFakeTree) {
  const HostInfo host = probe_host(kFixtures + "/host-tree");
  EXPECT_EQ(host.cpu_model, "Fake CPU 9000 @ 2.00GHz");
  EXPECT_EQ(host.cpu_cores, 4);
  EXPECT_EQ(host.memory_mb, 8048576 / 1024);
  EXPECT_EQ(host.os, "Fake Linux 1 (test)");
  EXPECT_EQ(host.hostname, "fakehost");
  EXPECT_EQ(host.kernel, "6.1.0-fake");
}

TEST(Host, FingerprintChangesWithAnyMachineField) {
  HostInfo a = probe_host(kFixtures + "/host-tree");
  HostInfo b = a;
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  b.blas.name = "reference";
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  b = a;
  b.gpu_driver = "550.1";
  EXPECT_NE(a.fingerprint(), b.fingerprint());
}

// Building one more engine in (or upgrading one) must not make this machine another host: the
// engine's version keys each point instead.
TEST(Host, FingerprintIgnoresTheEnginesBuiltIn) {
  HostInfo a = probe_host(kFixtures + "/host-tree");
  HostInfo b = a;
  a.engine_versions = "torchscript=libtorch 1.13.0";
  b.engine_versions = "torchscript=libtorch 1.13.0;opencv=opencv 4.6.0;openvino=openvino 2026.0";
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
}

TEST(Host, MissingFilesGiveUnknownNotACrash) {
  const HostInfo host = probe_host(kFixtures + "/does-not-exist");
  EXPECT_EQ(host.cpu_model, "unknown");
  EXPECT_GT(host.cpu_cores, 0);  // falls back to what the process sees
}

TEST(Blas, DetectsTheReferenceBlasFromProcessMaps) {
  const BlasInfo blas = detect_blas(kFixtures + "/maps-reference-blas.txt");
  EXPECT_EQ(blas.name, "reference");
  EXPECT_TRUE(blas.is_reference);
  EXPECT_EQ(blas.library, "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0");
}

TEST(Blas, PrefersTheAlternativeLibblasOverLibopenblas) {
  const BlasInfo blas = detect_blas(kFixtures + "/maps-openblas.txt");
  EXPECT_EQ(blas.name, "openblas-openmp");
  EXPECT_FALSE(blas.is_reference);
  EXPECT_EQ(blas.library, "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3");
}

TEST(Blas, ClassifiesKnownLibraries) {
  EXPECT_EQ(classify_blas_path("/opt/intel/lib/libmkl_rt.so").name, "mkl");
  EXPECT_EQ(classify_blas_path("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3").name,
            "openblas-pthread");
  EXPECT_EQ(classify_blas_path("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3").name, "blis");
  EXPECT_EQ(detect_blas("/nonexistent").name.rfind("unknown", 0), 0u);
}

}  // namespace
}  // namespace edgejoule
