#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "crmsync/plugin/registry.hpp"

#ifndef CRMSYNC_INSTALL_PLUGIN_DIR
#error "engine/src/plugin/CMakeLists.txt passes CRMSYNC_INSTALL_PLUGIN_DIR"
#endif

namespace crmsync::plugin {

std::vector<std::string> defaultPluginDirs() {
  std::vector<std::string> dirs;
  auto add = [&dirs](std::filesystem::path dir) {
    std::string text = dir.lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    for (const auto& d : dirs) {
      if (d == text) return;
    }
    dirs.push_back(std::move(text));
  };

  if (const char* env = std::getenv("CRMSYNC_PLUGIN_PATH")) {
    std::string value = env;
    size_t start = 0;
    while (start <= value.size()) {
      size_t colon = value.find(':', start);
      if (colon == std::string::npos) colon = value.size();
      if (colon > start) add(value.substr(start, colon - start));
      start = colon + 1;
    }
  }

  boost::dll::fs::error_code ec;
  boost::dll::fs::path exe = boost::dll::program_location(ec);
  if (!ec && !exe.empty()) {
    std::filesystem::path bin = std::filesystem::path(exe.string()).parent_path();
    add(bin / ".." / "plugins");
    add(bin / ".." / "lib" / "crmsync" / "plugins");
  }

  add(CRMSYNC_INSTALL_PLUGIN_DIR);
  return dirs;
}

}  // namespace crmsync::plugin
