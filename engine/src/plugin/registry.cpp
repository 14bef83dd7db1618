#include "crmsync/plugin/registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <exception>
#include <filesystem>
#include <map>
#include <system_error>
#include <type_traits>
#include <utility>

#include "crmsync/plugin/host_context.hpp"
#include "plugin/descriptor_check.hpp"

namespace crmsync::plugin {
namespace {

namespace fs = std::filesystem;

// A plugin that passed every check. The library is a member so it stays mapped exactly as long as the
// descriptor's function pointers are reachable; it is declared first so it is unloaded last.
class LibraryPlugin final : public LoadedPlugin {
 public:
  LibraryPlugin(boost::dll::shared_library library, CheckedDescriptor checked)
      : library_(std::move(library)), descriptor_(checked.descriptor), info_(std::move(checked.info)) {}

  ~LibraryPlugin() override {
    if (!descriptor_.shutdown) return;
    try {
      descriptor_.shutdown();
    } catch (...) {
      // Nothing sensible is left to do with a plugin that throws while being unloaded.
    }
  }

  LibraryPlugin(const LibraryPlugin&) = delete;
  LibraryPlugin& operator=(const LibraryPlugin&) = delete;

  const PluginInfo& info() const override { return info_; }
  const crmsync_plugin_descriptor& descriptor() const override { return descriptor_; }
  PluginInfo& mutableInfo() { return info_; }

 private:
  boost::dll::shared_library library_;
  crmsync_plugin_descriptor descriptor_;
  PluginInfo info_;
};

std::string canonicalPath(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  if (!ec) return canonical.string();
  fs::path absolute = fs::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

std::string describeException(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return std::string("std::exception: ") + ex.what();
  } catch (...) {
    return "not a std::exception";
  }
}

const char* kEntry = CRMSYNC_PLUGIN_ENTRY_SYMBOL;

}  // namespace

std::string Refusal::message() const {
  return "plugin refused: " + path + " (symbol " + symbol + "): " + reason;
}

struct PluginRegistry::Impl {
  std::vector<std::unique_ptr<LibraryPlugin>> plugins;  // load order
  std::map<std::string, LibraryPlugin*> byName;
  std::vector<Refusal> refusals;

  Status refuse(const std::string& path, std::string reason) {
    refusals.push_back({path, kEntry, std::move(reason)});
    return pluginError(refusals.back().message());
  }
};

PluginRegistry::PluginRegistry() : impl_(std::make_unique<Impl>()) {}

PluginRegistry::~PluginRegistry() {
  // Unload in reverse load order, like static destructors: a later plugin may still use an earlier one.
  while (!impl_->plugins.empty()) impl_->plugins.pop_back();
}

Status PluginRegistry::loadFile(const std::string& file) {
  const std::string path = canonicalPath(file);

  boost::dll::shared_library library;
  boost::dll::fs::error_code ec;
  library.load(boost::dll::fs::path(path), boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local, ec);
  if (ec || !library.is_loaded()) {
    // Boost.DLL reports only a generic error code; dlopen's own text says what actually went wrong.
    const char* dl = dlerror();
    return impl_->refuse(path, "the library could not be loaded: " + std::string(dl ? dl : ec.message()) +
                                   "; check that the file is a crmsync plugin built for this platform and that the "
                                   "libraries it needs are installed (ldd shows which are missing)");
  }

  if (!library.has(kEntry)) {
    return impl_->refuse(path, "the library does not export the entry point; build it with the CRMSYNC_PLUGIN "
                               "macro (or export crmsync_plugin_entry with CRMSYNC_PLUGIN_EXPORT and C linkage), "
                               "or remove it from the plugin directory");
  }
  auto& entry = library.get<std::remove_pointer_t<crmsync_plugin_entry_fn>>(kEntry);

  const crmsync_plugin_descriptor* raw = nullptr;
  try {
    raw = entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  } catch (...) {
    return impl_->refuse(path, "the entry point threw an exception (" + describeException(std::current_exception()) +
                                   "); exceptions must not cross the C ABI: catch them in the plugin (the "
                                   "CRMSYNC_PLUGIN macro does) and report this to the plugin's vendor");
  }
  if (!raw) {
    return impl_->refuse(path, "the entry point returned NULL instead of a descriptor (the plugin may have "
                               "declined host ABI " + std::to_string(CRMSYNC_ABI_MAJOR) + "." +
                               std::to_string(CRMSYNC_ABI_MINOR) +
                               "); rebuild the plugin against this crmsync SDK or ask its vendor for a compatible "
                               "build");
  }

  Result<CheckedDescriptor> checked = checkDescriptor(raw, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  if (!checked) return impl_->refuse(path, checked.status().message());

  const std::string& name = checked->info.name;
  if (auto it = impl_->byName.find(name); it != impl_->byName.end()) {
    const std::string& first = it->second->info().path;
    if (first == path) {
      return impl_->refuse(path, "this file is already loaded as plugin '" + name +
                                     "'; list each plugin directory only once in CRMSYNC_PLUGIN_PATH");
    }
    return impl_->refuse(path, "a plugin named '" + name + "' is already loaded from " + first +
                                   "; remove one of the two files from the plugin path, or rename one plugin");
  }

  const crmsync_plugin_descriptor& d = checked->descriptor;
  if (d.init) {
    crmsync_status st = CRMSYNC_OK;
    try {
      st = d.init(hostApi());
    } catch (...) {
      return impl_->refuse(path, "init() of plugin '" + name + "' threw an exception (" +
                                     describeException(std::current_exception()) +
                                     "); exceptions must not cross the C ABI: catch them in the plugin (the "
                                     "CRMSYNC_PLUGIN macro does) and report this to the plugin's vendor");
    }
    if (st != CRMSYNC_OK) {
      std::string text;
      try {
        const char* e = d.last_error(nullptr);
        text = e && *e ? e : "no error text";
      } catch (...) {
        text = "last_error() threw an exception";
      }
      return impl_->refuse(path, "init() of plugin '" + name + "' failed with " + abiStatusName(st) + ": " + text +
                                     "; fix what the plugin reports (often its environment or installation), or "
                                     "remove it from the plugin directory");
    }
  }

  auto plugin = std::make_unique<LibraryPlugin>(std::move(library), std::move(checked).value());
  plugin->mutableInfo().path = path;
  impl_->byName.emplace(plugin->info().name, plugin.get());
  impl_->plugins.push_back(std::move(plugin));
  return Status::ok();
}

void PluginRegistry::loadDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code typeEc;
    if (it->path().extension() == ".so" && it->is_regular_file(typeEc)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) (void)loadFile(f.string());
}

const LoadedPlugin* PluginRegistry::find(const std::string& name) const {
  auto it = impl_->byName.find(name);
  return it == impl_->byName.end() ? nullptr : it->second;
}

std::vector<const LoadedPlugin*> PluginRegistry::plugins() const {
  std::vector<const LoadedPlugin*> out;
  out.reserve(impl_->plugins.size());
  for (const auto& p : impl_->plugins) out.push_back(p.get());
  return out;
}

const std::vector<Refusal>& PluginRegistry::refusals() const { return impl_->refusals; }

}  // namespace crmsync::plugin
