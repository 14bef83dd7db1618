#include "test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace crmsync::phone::testing {

std::string ScratchDir::write(const std::string& name, const std::string& text, bool append) const {
  std::string p = path(name);
  std::ofstream out(p, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << text;
  return p;
}

std::vector<sdk::EmittedRecord> entities(const sdk::FakeHost& host, const std::string& entity) {
  std::vector<sdk::EmittedRecord> out;
  for (const auto& r : host.records()) {
    if (r.entity == entity) out.push_back(r);
  }
  return out;
}

sdk::EmittedRecord find(const sdk::FakeHost& host, const std::string& entity, const std::string& key) {
  for (const auto& r : host.records()) {
    if (r.entity == entity && r.sourceKey == key) return r;
  }
  ADD_FAILURE() << "no " << entity << " with key " << key;
  return {};
}

void runOk(sdk::FakeHost& host, const std::map<std::string, std::string>& config) {
  auto result = host.runSource(crmsync_plugin_entry, config);
  ASSERT_EQ(result.status, CRMSYNC_OK) << result.error;
}

}  // namespace crmsync::phone::testing
