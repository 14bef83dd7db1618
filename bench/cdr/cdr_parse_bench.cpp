// crmsync-bench-cdr-parse: the phone connector alone on a Master.csv: reading, splitting, time zone conversion,
// grouping legs into calls and building records, with a host that only counts what it is given. Prints rows/s
// and this process's peak RSS; cdr_bench.py runs it beside `crmsync run` to show where the time goes.
//
//   crmsync-bench-cdr-parse --file Master.csv [--timezone Asia/Shanghai]
#include <crmsync/plugin_abi.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

extern "C" const crmsync_plugin_descriptor* crmsync_plugin_entry(uint16_t, uint16_t);

namespace {

struct Counts {
  size_t interactions = 0;
  size_t customers = 0;
  size_t rejected = 0;
  size_t fields = 0;
  std::string cursor;
};

Counts& counts(crmsync_host_ctx* ctx) { return *reinterpret_cast<Counts*>(ctx); }

crmsync_status emit(crmsync_host_ctx* ctx, const crmsync_record* records, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    (std::strcmp(records[i].entity, "interaction") == 0 ? counts(ctx).interactions : counts(ctx).customers)++;
    counts(ctx).fields += records[i].field_count;
  }
  return CRMSYNC_OK;
}
crmsync_status reject(crmsync_host_ctx* ctx, const crmsync_rejected*) {
  ++counts(ctx).rejected;
  return CRMSYNC_OK;
}
const char* getCursor(crmsync_host_ctx*) { return nullptr; }
crmsync_status setCursor(crmsync_host_ctx* ctx, const char* c) {
  counts(ctx).cursor = c;
  return CRMSYNC_OK;
}
void log(crmsync_host_ctx*, int32_t, const char* message) { std::fprintf(stderr, "%s\n", message); }
crmsync_status secret(crmsync_host_ctx*, const char*, char*, size_t, size_t*) { return CRMSYNC_ERR_CONFIG; }
int32_t cancelled(crmsync_host_ctx*) { return 0; }

}  // namespace

int main(int argc, char** argv) {
  std::string file;
  std::string zone = "Asia/Shanghai";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--file") == 0) file = argv[i + 1];
    if (std::strcmp(argv[i], "--timezone") == 0) zone = argv[i + 1];
  }
  if (file.empty()) {
    std::fprintf(stderr, "usage: crmsync-bench-cdr-parse --file Master.csv [--timezone ZONE]\n");
    return 2;
  }
  crmsync_host_api api{};
  api.struct_size = sizeof api;
  api.abi_major = CRMSYNC_ABI_MAJOR;
  api.abi_minor = CRMSYNC_ABI_MINOR;
  api.emit = emit;
  api.reject = reject;
  api.get_cursor = getCursor;
  api.set_cursor = setCursor;
  api.log = log;
  api.get_secret = secret;
  api.is_cancelled = cancelled;
  const crmsync_plugin_descriptor* d = crmsync_plugin_entry(CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
  std::map<std::string, std::string> config;
  for (size_t i = 0; i < d->config_key_count; ++i) {
    if (d->config_keys[i].default_value) config[d->config_keys[i].name] = d->config_keys[i].default_value;
  }
  config["path"] = file;
  config["columns"] = "21";
  config["timezone"] = zone;
  config["internal"] = R"(["_2XXX","600"])";
  std::vector<crmsync_config_entry> entries;
  for (const auto& [k, v] : config) entries.push_back({k.c_str(), v.c_str()});
  Counts c;
  void* instance = nullptr;
  auto t0 = std::chrono::steady_clock::now();
  auto* ctx = reinterpret_cast<crmsync_host_ctx*>(&c);
  if (d->open(&api, ctx, entries.data(), entries.size(), &instance) != CRMSYNC_OK) {
    std::fprintf(stderr, "open: %s\n", d->last_error(nullptr));
    return 1;
  }
  if (d->read(instance) != CRMSYNC_OK) {
    std::fprintf(stderr, "read: %s\n", d->last_error(instance));
    return 1;
  }
  d->close(instance);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  size_t rows = 0;
  if (FILE* f = std::fopen(file.c_str(), "rb")) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
      for (size_t i = 0; i < n; ++i) rows += buf[i] == '\n';
    }
    std::fclose(f);
  }
  std::printf("{\"rows\": %zu, \"interactions\": %zu, \"customers\": %zu, \"rejected\": %zu, \"seconds\": %.3f, "
              "\"rows_per_s\": %.0f, \"peak_rss_mb\": %.1f}\n",
              rows, c.interactions, c.customers, c.rejected, seconds, rows / seconds, ru.ru_maxrss / 1024.0);
  return 0;
}
