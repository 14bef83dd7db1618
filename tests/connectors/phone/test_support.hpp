// Shared by the phone connector's tests: a scratch folder, CDR files written and appended, and runs of the
// plugin through its C entry point with FakeHost.
#pragma once

#include <crmsync/sdk/fake_host.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_support/temp_dir.hpp"

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t, uint16_t);

namespace crmsync::phone::testing {

/// A folder under the system temp directory, removed with everything in it at the end of the test.
class ScratchDir {
 public:
  std::string path(const std::string& name) const { return dir_.file(name); }
  /// Writes (append=false) or appends the text to the file and returns its path.
  std::string write(const std::string& name, const std::string& text, bool append = false) const;

 private:
  crmsync::test::TempDir dir_;
};

/// The interactions (or customers) a host received, in order.
std::vector<sdk::EmittedRecord> entities(const sdk::FakeHost& host, const std::string& entity);
/// The record of that entity and key; fails the test when there is none.
sdk::EmittedRecord find(const sdk::FakeHost& host, const std::string& entity, const std::string& key);

/// One run of the plugin; fails the test when it does not return OK.
void runOk(sdk::FakeHost& host, const std::map<std::string, std::string>& config);

}  // namespace crmsync::phone::testing
