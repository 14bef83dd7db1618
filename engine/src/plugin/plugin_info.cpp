#include "crmsync/plugin/plugin_info.hpp"

namespace crmsync::plugin {

const char* configTypeName(crmsync_config_type type) {
  switch (type) {
    case CRMSYNC_CONFIG_STRING: return "string";
    case CRMSYNC_CONFIG_INT: return "int";
    case CRMSYNC_CONFIG_BOOL: return "bool";
    case CRMSYNC_CONFIG_DOUBLE: return "double";
    case CRMSYNC_CONFIG_STRING_LIST: return "string_list";
    case CRMSYNC_CONFIG_MAP: return "map";
    case CRMSYNC_CONFIG_SECRET: return "secret";
    case CRMSYNC_CONFIG_PATH: return "path";
  }
  return "unknown";
}

const char* pluginKindName(int32_t kind) {
  switch (kind) {
    case CRMSYNC_KIND_SOURCE: return "source";
    case CRMSYNC_KIND_STAGE: return "stage";
    case CRMSYNC_KIND_SINK: return "sink";
    default: return "unknown";
  }
}

}  // namespace crmsync::plugin
