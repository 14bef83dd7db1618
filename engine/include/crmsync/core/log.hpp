// Logging setup: spdlog to stderr as text or JSON lines. Everything in the engine logs through spdlog's default
// logger once init() ran.
#pragma once

#include <string>

namespace crmsync::log {

enum class Format { kText, kJson };

/// Configures the default logger. quiet keeps warnings and errors only; verbose adds debug.
void init(Format format, bool quiet, bool verbose);

/// Parses "text" or "json".
bool parseFormat(const std::string& text, Format& out);

}  // namespace crmsync::log
