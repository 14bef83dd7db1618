#include "crmsync/plugin/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

namespace crmsync::plugin {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string fixture(const std::string& name) {
  return std::filesystem::canonical(std::filesystem::path(CRMSYNC_FIXTURE_PLUGIN_DIR)).string() + "/" + name + ".so";
}

// Loads one broken fixture into a fresh registry and checks what every refusal must say: the file, the symbol,
// the reason. Returns the message for checks specific to the case.
std::string expectRefused(const std::string& name, const std::string& reason) {
  PluginRegistry registry;
  const std::string path = fixture(name);
  Status st = registry.loadFile(path);
  EXPECT_EQ(st.code(), StatusCode::kPluginError) << st.toString();
  EXPECT_THAT(st.message(), HasSubstr(path));
  EXPECT_THAT(st.message(), HasSubstr(CRMSYNC_PLUGIN_ENTRY_SYMBOL));
  EXPECT_THAT(st.message(), HasSubstr(reason));
  EXPECT_EQ(registry.plugins().size(), 0u);
  EXPECT_EQ(registry.refusals().size(), 1u);
  if (!registry.refusals().empty()) {
    const Refusal& r = registry.refusals().front();
    EXPECT_EQ(r.path, path);
    EXPECT_EQ(r.symbol, CRMSYNC_PLUGIN_ENTRY_SYMBOL);
    EXPECT_THAT(r.reason, HasSubstr(reason));
    EXPECT_EQ(r.message(), st.message());
  }
  return st.message();
}

TEST(PluginLoader, LoadsGoodSourceAndCopiesItsInfo) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadFile(fixture("good_source")).isOk());
  const LoadedPlugin* p = registry.find("good_source");
  ASSERT_NE(p, nullptr);
  const PluginInfo& info = p->info();
  EXPECT_EQ(info.name, "good_source");
  EXPECT_EQ(info.version, "1.2.3");
  EXPECT_EQ(info.description, "Emits numbered test customers");
  EXPECT_EQ(info.kind, CRMSYNC_KIND_SOURCE);
  EXPECT_EQ(info.abiMajor, CRMSYNC_ABI_MAJOR);
  EXPECT_EQ(info.abiMinor, CRMSYNC_ABI_MINOR);
  EXPECT_EQ(info.path, fixture("good_source"));

  ASSERT_EQ(info.configKeys.size(), 5u);
  const ConfigKeySpec* count = info.findKey("count");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(count->type, CRMSYNC_CONFIG_INT);
  EXPECT_EQ(count->defaultValue, "2");
  EXPECT_FALSE(count->required);
  EXPECT_EQ(count->description, "How many records to emit");
  const ConfigKeySpec* apiKey = info.findKey("api_key");
  ASSERT_NE(apiKey, nullptr);
  EXPECT_EQ(apiKey->type, CRMSYNC_CONFIG_SECRET);
  EXPECT_EQ(apiKey->defaultValue, std::nullopt);
  EXPECT_TRUE(apiKey->required);
  // Declaration order is kept.
  EXPECT_EQ(info.configKeys[3].name, "tags");
  EXPECT_EQ(info.configKeys[3].type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_EQ(info.configKeys[3].defaultValue, "[]");
  EXPECT_EQ(info.configKeys[4].name, "verbose");
  EXPECT_EQ(info.configKeys[4].type, CRMSYNC_CONFIG_BOOL);
  EXPECT_EQ(info.configKeys[1].name, "entity");
  EXPECT_EQ(info.configKeys[1].defaultValue, "customer");
  EXPECT_EQ(info.findKey("nope"), nullptr);

  const crmsync_plugin_descriptor& d = p->descriptor();
  EXPECT_EQ(d.struct_size, sizeof(crmsync_plugin_descriptor));
  EXPECT_NE(d.open, nullptr);
  EXPECT_NE(d.read, nullptr);
  EXPECT_TRUE(registry.refusals().empty());
}

TEST(PluginLoader, LoadsGoodStage) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadFile(fixture("good_stage")).isOk());
  const LoadedPlugin* p = registry.find("good_stage");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->info().kind, CRMSYNC_KIND_STAGE);
  ASSERT_EQ(p->info().configKeys.size(), 1u);
  EXPECT_EQ(p->info().configKeys[0].name, "suffix");
  EXPECT_EQ(p->info().configKeys[0].defaultValue, "!");
}

TEST(PluginLoader, RecordsTheCanonicalPath) {
  PluginRegistry registry;
  const std::string roundabout = std::string(CRMSYNC_FIXTURE_PLUGIN_DIR) + "/./../plugins/good_source.so";
  ASSERT_TRUE(registry.loadFile(roundabout).isOk());
  EXPECT_EQ(registry.find("good_source")->info().path, fixture("good_source"));
}

TEST(PluginLoader, KeepsPluginsInLoadOrder) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadFile(fixture("good_stage")).isOk());
  ASSERT_TRUE(registry.loadFile(fixture("good_source")).isOk());
  auto plugins = registry.plugins();
  ASSERT_EQ(plugins.size(), 2u);
  EXPECT_EQ(plugins[0]->info().name, "good_stage");
  EXPECT_EQ(plugins[1]->info().name, "good_source");
}

TEST(PluginLoader, RejectsFileThatIsNotALibrary) {
  std::string m = expectRefused("not_a_library", "the library could not be loaded");
  EXPECT_THAT(m, HasSubstr("ELF"));  // dlopen's own explanation
  EXPECT_THAT(m, HasSubstr("check that the file is a crmsync plugin"));
}

TEST(PluginLoader, RejectsMissingFileWithDlopenText) {
  PluginRegistry registry;
  const std::string path = std::string(CRMSYNC_FIXTURE_PLUGIN_DIR) + "/does_not_exist.so";
  Status st = registry.loadFile(path);
  EXPECT_EQ(st.code(), StatusCode::kPluginError);
  EXPECT_THAT(st.message(), HasSubstr("does_not_exist.so"));
  EXPECT_THAT(st.message(), HasSubstr("No such file"));
  EXPECT_THAT(st.message(), HasSubstr(CRMSYNC_PLUGIN_ENTRY_SYMBOL));
}

TEST(PluginLoader, RejectsMissingEntryPoint) {
  std::string m = expectRefused("no_entry", "does not export the entry point");
  EXPECT_THAT(m, HasSubstr("CRMSYNC_PLUGIN macro"));
}

TEST(PluginLoader, RejectsNullDescriptor) {
  std::string m = expectRefused("null_descriptor", "returned NULL");
  EXPECT_THAT(m, HasSubstr("rebuild the plugin"));
}

TEST(PluginLoader, RejectsEntryPointThatThrows) {
  std::string m = expectRefused("entry_throws", "the entry point threw an exception");
  EXPECT_THAT(m, HasSubstr("not a std::exception"));
}

TEST(PluginLoader, RejectsDifferentMajorAbi) {
  std::string m = expectRefused("wrong_major", "a different major version is incompatible");
  EXPECT_THAT(m, HasSubstr("built for plugin ABI " + std::to_string(CRMSYNC_ABI_MAJOR + 1) + ".0"));
  EXPECT_THAT(m, HasSubstr("rebuild the plugin"));
}

TEST(PluginLoader, RejectsNewerMinorAbi) {
  const std::string host = std::to_string(CRMSYNC_ABI_MAJOR) + "." + std::to_string(CRMSYNC_ABI_MINOR);
  const std::string plugin = std::to_string(CRMSYNC_ABI_MAJOR) + "." + std::to_string(CRMSYNC_ABI_MINOR + 1);
  std::string m = expectRefused("newer_minor", "needs plugin ABI " + plugin + " but this crmsync provides only " + host);
  EXPECT_THAT(m, HasSubstr("upgrade crmsync"));
}

TEST(PluginLoader, RejectsStructSizeSmallerThanAbi10Descriptor) {
  std::string m = expectRefused("tiny_struct_size", "descriptor struct_size 16 is implausible");
  EXPECT_THAT(m, HasSubstr("at least"));
}

TEST(PluginLoader, RejectsAbsurdlyLargeStructSize) {
  std::string m = expectRefused("huge_struct_size", "descriptor struct_size 1048576 is implausible");
  EXPECT_THAT(m, HasSubstr("at most 65536"));
}

TEST(PluginLoader, RejectsSourceWithoutRequiredCallbacks) {
  std::string m = expectRefused("missing_callbacks", "required callbacks are NULL");
  EXPECT_THAT(m, HasSubstr("read, close"));
  EXPECT_THAT(m, HasSubstr("a source needs open, read, close and last_error"));
}

TEST(PluginLoader, RejectsStageWithoutProcess) {
  std::string m = expectRefused("stage_without_process", "required callbacks are NULL");
  EXPECT_THAT(m, HasSubstr(": process ("));
  EXPECT_THAT(m, Not(HasSubstr("read,")));
}

TEST(PluginLoader, RejectsInvalidName) {
  std::string m = expectRefused("bad_name", "plugin name 'Bad-Name' is invalid");
  EXPECT_THAT(m, HasSubstr("[a-z0-9_]+"));
}

TEST(PluginLoader, RejectsUnknownKind) {
  expectRefused("bad_kind", "unknown kind 9");
}

TEST(PluginLoader, RejectsDuplicateNameAndNamesTheFirstFile) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadFile(fixture("good_source")).isOk());
  Status st = registry.loadFile(fixture("duplicate"));
  EXPECT_EQ(st.code(), StatusCode::kPluginError);
  EXPECT_THAT(st.message(), HasSubstr(fixture("duplicate")));
  EXPECT_THAT(st.message(), HasSubstr(CRMSYNC_PLUGIN_ENTRY_SYMBOL));
  EXPECT_THAT(st.message(), HasSubstr("a plugin named 'good_source' is already loaded from " + fixture("good_source")));
  // The first one stays.
  EXPECT_EQ(registry.find("good_source")->info().path, fixture("good_source"));
  EXPECT_EQ(registry.plugins().size(), 1u);
}

TEST(PluginLoader, RejectsTheSameFileTwice) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadFile(fixture("good_stage")).isOk());
  Status st = registry.loadFile(fixture("good_stage"));
  EXPECT_EQ(st.code(), StatusCode::kPluginError);
  EXPECT_THAT(st.message(), HasSubstr("this file is already loaded as plugin 'good_stage'"));
  EXPECT_NE(registry.find("good_stage"), nullptr);
}

TEST(PluginLoader, RejectsFailingInitWithItsLastError) {
  std::string m = expectRefused("init_fails", "init() of plugin 'init_fails' failed with CRMSYNC_ERR_IO");
  EXPECT_THAT(m, HasSubstr("license file /etc/fixture.lic is missing"));
}

TEST(PluginLoader, RejectsInitThatThrows) {
  std::string m = expectRefused("init_throws", "init() of plugin 'init_throws' threw an exception");
  EXPECT_THAT(m, HasSubstr("boom from init"));
}

TEST(PluginLoader, KeepsEveryRefusal) {
  PluginRegistry registry;
  EXPECT_FALSE(registry.loadFile(fixture("wrong_major")).isOk());
  EXPECT_FALSE(registry.loadFile(fixture("newer_minor")).isOk());
  ASSERT_EQ(registry.refusals().size(), 2u);
  EXPECT_EQ(registry.refusals()[0].path, fixture("wrong_major"));
  EXPECT_EQ(registry.refusals()[1].path, fixture("newer_minor"));
}

TEST(PluginLoader, LoadDirectoryLoadsGoodPluginsAndCollectsRefusals) {
  PluginRegistry registry;
  registry.loadDirectory(CRMSYNC_FIXTURE_PLUGIN_DIR);

  std::set<std::string> loaded;
  for (const LoadedPlugin* p : registry.plugins()) loaded.insert(p->info().name);
  EXPECT_EQ(loaded, (std::set<std::string>{"good_source", "good_stage"}));

  // Every broken fixture is refused, none stops the scan, and ignored.txt is not even tried.
  std::set<std::string> refused;
  for (const Refusal& r : registry.refusals()) refused.insert(std::filesystem::path(r.path).stem().string());
  std::set<std::string> broken{"bad_kind",         "bad_name",         "entry_throws",   "init_fails",
                               "init_throws",      "missing_callbacks", "newer_minor",    "no_entry",
                               "not_a_library",    "null_descriptor",  "stage_without_process",
                               "tiny_struct_size", "huge_struct_size", "wrong_major"};
  // duplicate.so sorts before good_source.so, so whichever of the two came second is the refused one.
  EXPECT_EQ(registry.refusals().size(), broken.size() + 1);
  for (const auto& b : broken) EXPECT_TRUE(refused.count(b)) << b << " was not refused";
  EXPECT_TRUE(refused.count("good_source") || refused.count("duplicate"));
  EXPECT_FALSE(refused.count("ignored"));
  for (const Refusal& r : registry.refusals()) {
    EXPECT_THAT(r.message(), HasSubstr(r.path));
    EXPECT_EQ(r.symbol, CRMSYNC_PLUGIN_ENTRY_SYMBOL);
  }
}

TEST(PluginLoader, LoadDirectoryScansInNameOrder) {
  PluginRegistry registry;
  registry.loadDirectory(CRMSYNC_FIXTURE_PLUGIN_DIR);
  std::vector<std::string> refusedPaths;
  for (const Refusal& r : registry.refusals()) refusedPaths.push_back(r.path);
  EXPECT_TRUE(std::is_sorted(refusedPaths.begin(), refusedPaths.end()));
  // duplicate.so claims good_source first, so the real good_source.so is the one refused, naming duplicate.so.
  ASSERT_NE(registry.find("good_source"), nullptr);
  EXPECT_EQ(registry.find("good_source")->info().path, fixture("duplicate"));
}

TEST(PluginLoader, LoadDirectoryIgnoresMissingDirectory) {
  PluginRegistry registry;
  registry.loadDirectory(std::string(CRMSYNC_FIXTURE_PLUGIN_DIR) + "/no/such/dir");
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_TRUE(registry.refusals().empty());
}

#ifdef CRMSYNC_EXAMPLE_PLUGIN_FILE
TEST(PluginLoader, LoadsTheExamplePluginFromTheBuildPluginDir) {
  PluginRegistry registry;
  Status st = registry.loadFile(CRMSYNC_EXAMPLE_PLUGIN_FILE);
  ASSERT_TRUE(st.isOk()) << st.toString();
  const LoadedPlugin* p = registry.find("example_static");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->info().kind, CRMSYNC_KIND_SOURCE);
  const ConfigKeySpec* rows = p->info().findKey("rows");
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(rows->type, CRMSYNC_CONFIG_STRING_LIST);
  EXPECT_TRUE(rows->required);
}
#endif

TEST(PluginLoader, RefusalMessageNamesFileSymbolAndReason) {
  Refusal r{"/x/y.so", "crmsync_plugin_entry", "because; do this"};
  EXPECT_EQ(r.message(), "plugin refused: /x/y.so (symbol crmsync_plugin_entry): because; do this");
}

}  // namespace
}  // namespace crmsync::plugin
