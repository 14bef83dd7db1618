// The plugin's one exported symbol, outside the connector's OBJECT library so that exactly the plugin and the
// test driving the C boundary define it.
#include "phone_source.hpp"

CRMSYNC_PLUGIN(crmsync::phone::PhoneSource)
