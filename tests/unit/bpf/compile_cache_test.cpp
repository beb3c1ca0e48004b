// The BPF object format and the compile cache: what is stored comes back exactly, and anything
// else (other input, damage, files others could have written) is a miss.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/bpf/compile_cache.h"

namespace ut::runtime {
namespace {

BpfObject sample_object() {
  BpfObject o;
  o.license = "GPL";
  o.kern_version = 0x61200;
  o.maps.push_back({"map_at", 1, 8, 16, 4096, 0});
  o.maps.push_back({"ut_events", 27, 0, 0, 1 << 20, 0});
  BpfFunction f;
  f.name = "probe_0";
  f.insns = std::string(8 * 6, '\x11');
  f.relocations.push_back({BpfRelocation::Kind::MapFd, 0, 1});
  f.relocations.push_back({BpfRelocation::Kind::Function, 2, 0});  // a callback: functions[0]
  o.functions.push_back(f);
  return o;
}

void expect_same(const BpfObject &a, const BpfObject &b) {
  EXPECT_EQ(serialize(a, "k"), serialize(b, "k"));
}

TEST(BpfObject, RoundTrips) {
  BpfObject o = sample_object();
  auto back = deserialize(serialize(o, "key"), "key");
  ASSERT_TRUE(back.ok()) << back.error().message();
  expect_same(o, *back);
  EXPECT_EQ(back->map_index("ut_events"), 1);
  EXPECT_EQ(back->map_index("nope"), -1);
  ASSERT_EQ(back->function_index("probe_0"), 0);
  EXPECT_EQ(back->functions[0].relocations[1].target, 0u);
}

TEST(BpfObject, OtherKeyIsRefused) {
  auto back = deserialize(serialize(sample_object(), "key"), "other key");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().message(), "the object was compiled from other input");
}

TEST(BpfObject, EveryTruncationIsRefused) {
  std::string bytes = serialize(sample_object(), "key");
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(deserialize(bytes.substr(0, n), "key").ok()) << n << " bytes";
  EXPECT_FALSE(deserialize(bytes + "x", "key").ok());
}

TEST(BpfObject, RelocationOutsideTheProgramIsRefused) {
  BpfObject o = sample_object();
  o.functions[0].relocations[0].target = 2;  // only two maps
  EXPECT_FALSE(deserialize(serialize(o, "k"), "k").ok());
  o = sample_object();
  o.functions[0].relocations[1].insn = 5;  // a 16-byte load cannot start at the last instruction
  EXPECT_FALSE(deserialize(serialize(o, "k"), "k").ok());
  o = sample_object();
  o.functions[0].relocations[1].target = 1;  // there is one function
  EXPECT_FALSE(deserialize(serialize(o, "k"), "k").ok());
}

class CompileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("utrace-cache-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CompileCacheTest, FindsWhatWasStored) {
  CompileCache cache(dir_.string() + "/nested/utrace");
  std::string key = compile_key("int x;", {"A=1"}, "bcc test");
  EXPECT_FALSE(cache.find(key));
  cache.store(key, sample_object());
  auto found = cache.find(key);
  ASSERT_TRUE(found);
  expect_same(sample_object(), *found);
  EXPECT_FALSE(cache.find(compile_key("int x;", {"A=2"}, "bcc test")));
  EXPECT_FALSE(cache.find(compile_key("int x;", {"A=1"}, "bcc other")));
  struct stat st {};
  ASSERT_EQ(stat((dir_ / "nested/utrace").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(CompileCacheTest, DamagedEntryIsAMiss) {
  CompileCache cache(dir_.string());
  std::string key = compile_key("int x;", {}, "bcc test");
  cache.store(key, sample_object());
  std::ofstream(cache.path(key), std::ios::trunc) << "garbage";
  EXPECT_FALSE(cache.find(key));
  cache.store(key, sample_object());
  EXPECT_TRUE(cache.find(key));
}

TEST_F(CompileCacheTest, EntriesOthersCanWriteAreIgnored) {
  CompileCache cache(dir_.string());
  std::string key = compile_key("int x;", {}, "bcc test");
  cache.store(key, sample_object());
  chmod(cache.path(key).c_str(), 0622);
  EXPECT_FALSE(cache.find(key));
  chmod(cache.path(key).c_str(), 0600);
  EXPECT_TRUE(cache.find(key));
  chmod(dir_.c_str(), 0777);
  EXPECT_FALSE(cache.find(key));
}

TEST_F(CompileCacheTest, KeepsTheMostRecentlyUsedEntries) {
  CompileCache cache(dir_.string(), 3);
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i) {
    keys.push_back(compile_key("int x" + std::to_string(i) + ";", {}, "bcc test"));
    cache.store(keys.back(), sample_object());
    usleep(20000);  // apart by more than the file system's clock tick
    if (i == 2) (void)cache.find(keys[0]), usleep(20000);  // 0 is used again
  }
  EXPECT_TRUE(cache.find(keys[0]));
  EXPECT_FALSE(cache.find(keys[1]));
  EXPECT_FALSE(cache.find(keys[2]));
  EXPECT_TRUE(cache.find(keys[3]));
  EXPECT_TRUE(cache.find(keys[4]));
}

TEST_F(CompileCacheTest, NeverCreatesDirectoriesInsideAnotherUsersDirectory) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to hand a directory to another user";
  std::filesystem::create_directories(dir_ / "home");
  ASSERT_EQ(chown((dir_ / "home").c_str(), 65534, 65534), 0);  // nobody's, as under sudo -E
  CompileCache cache((dir_ / "home/.cache/utrace").string());
  std::string key = compile_key("int x;", {}, "bcc test");
  cache.store(key, sample_object());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "home/.cache"));
  EXPECT_FALSE(cache.find(key));
}

TEST_F(CompileCacheTest, EmptyDirectoryMeansNoCache) {
  CompileCache cache("");
  EXPECT_FALSE(cache.enabled());
  cache.store("k", sample_object());
  EXPECT_FALSE(cache.find("k"));
}

}  // namespace
}  // namespace ut::runtime
