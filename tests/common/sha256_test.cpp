#include "common/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "common/error.h"

namespace edgejoule {
namespace {

// FIPS 180-4 / NIST example vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  const std::string text = "The quick brown fox jumps over the lazy dog, many times over. ";
  std::string long_text;
  for (int i = 0; i < 50; ++i) long_text += text;
  Sha256 h;
  for (size_t i = 0; i < long_text.size(); i += 7) h.update(std::string_view(long_text).substr(i, 7));
  EXPECT_EQ(h.hex_digest(), sha256_hex(long_text));
}

TEST(Sha256, FileMatchesMemoryAndMissingFileIsAnError) {
  const std::string path = ::testing::TempDir() + "/sha256_test.bin";
  {
    std::ofstream out(path, std::ios::binary);
    out << "abc";
  }
  EXPECT_EQ(sha256_file(path), sha256_hex("abc"));
  std::remove(path.c_str());
  EXPECT_THROW(sha256_file(path), Error);
}

}  // namespace
}  // namespace edgejoule
