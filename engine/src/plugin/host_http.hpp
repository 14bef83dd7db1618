// The http_request slot of the host function table (ABI 1.1): converts between the C structs and crmsync::http.
#pragma once

#include <crmsync/plugin_abi.h>

namespace crmsync::plugin {

/// Never throws: a malformed request or an engine failure becomes a status and response->error.
crmsync_status httpRequestFn(crmsync_host_ctx* ctx, const crmsync_http_request* request,
                             crmsync_http_response* response);

}  // namespace crmsync::plugin
