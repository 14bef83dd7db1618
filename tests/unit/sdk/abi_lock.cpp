#include "unit/sdk/abi_lock.hpp"

#include <cctype>
#include <cstdio>
#include <regex>
#include <sstream>

namespace crmsync::sdk::testing {
namespace {

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

struct LockEntry {
  AbiVersion version;
  std::string hash;
};

std::optional<LockEntry> parseLock(std::string_view lock) {
  static const std::regex line(R"(^\s*abi\s+(\d+)\.(\d+)\s+fnv1a64:([0-9a-f]{16})\s*$)");
  std::istringstream in{std::string(lock)};
  std::string text;
  while (std::getline(in, text)) {
    size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos || text[first] == '#') continue;
    std::smatch m;
    if (!std::regex_match(text, m, line)) return std::nullopt;
    return LockEntry{{std::stoi(m[1]), std::stoi(m[2])}, m[3]};
  }
  return std::nullopt;
}

}  // namespace

std::string normalizeAbiHeader(std::string_view h) {
  std::string out;
  bool pendingSpace = false;
  auto put = [&](char c) {
    if (pendingSpace && !out.empty() && isWordChar(out.back()) && isWordChar(c)) out += ' ';
    pendingSpace = false;
    out += c;
  };
  size_t i = 0;
  while (i < h.size()) {
    const char c = h[i];
    if (c == '/' && i + 1 < h.size() && h[i + 1] == '*') {
      size_t end = h.find("*/", i + 2);
      i = end == std::string_view::npos ? h.size() : end + 2;
      pendingSpace = true;  // a comment separates tokens like whitespace does
    } else if (c == '/' && i + 1 < h.size() && h[i + 1] == '/') {
      size_t end = h.find('\n', i);
      i = end == std::string_view::npos ? h.size() : end;
      pendingSpace = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      pendingSpace = true;
      ++i;
    } else if (c == '"' || c == '\'') {
      // Literals are tokens: copied verbatim, comment markers and all.
      put(c);
      ++i;
      while (i < h.size() && h[i] != c) {
        if (h[i] == '\\' && i + 1 < h.size()) out += h[i++];
        out += h[i++];
      }
      if (i < h.size()) out += h[i++];
    } else {
      put(c);
      ++i;
    }
  }
  static const std::regex versionValue(R"((#define CRMSYNC_ABI_M(?:AJ|IN)OR )\d+)");
  return std::regex_replace(out, versionValue, "$1<version>");
}

uint64_t fnv1a64(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::optional<AbiVersion> headerAbiVersion(std::string_view header) {
  static const std::regex major(R"(#\s*define\s+CRMSYNC_ABI_MAJOR\s+(\d+))");
  static const std::regex minor(R"(#\s*define\s+CRMSYNC_ABI_MINOR\s+(\d+))");
  std::string text(header);
  std::smatch ma;
  std::smatch mi;
  if (!std::regex_search(text, ma, major) || !std::regex_search(text, mi, minor)) return std::nullopt;
  return AbiVersion{std::stoi(ma[1]), std::stoi(mi[1])};
}

std::string abiLockLine(AbiVersion version, std::string_view header) {
  return "abi " + version.text() + " fnv1a64:" + hex64(fnv1a64(normalizeAbiHeader(header)));
}

AbiLockCheck checkAbiLock(std::string_view header, std::string_view lock) {
  auto hv = headerAbiVersion(header);
  if (!hv) return {false, "plugin_abi.h does not define CRMSYNC_ABI_MAJOR and CRMSYNC_ABI_MINOR as numbers"};
  auto locked = parseLock(lock);
  if (!locked) {
    return {false, "sdk/abi.lock is malformed: expected one line like '" + abiLockLine(*hv, header) +
                       "' after the # comments"};
  }
  const std::string hash = hex64(fnv1a64(normalizeAbiHeader(header)));
  const AbiVersion lv = locked->version;

  if (*hv == lv) {
    if (hash == locked->hash) return {true, ""};
    AbiVersion nextMinor{hv->major, hv->minor + 1};
    AbiVersion nextMajor{hv->major + 1, 0};
    return {false, "plugin_abi.h changed without a version bump (still ABI " + hv->text() + ", locked hash " +
                       locked->hash + ", header hash " + hash +
                       "): append-only changes bump CRMSYNC_ABI_MINOR, others CRMSYNC_ABI_MAJOR; then update "
                       "sdk/abi.lock with\n  " + abiLockLine(nextMinor, header) + "\n(or, after a major bump,\n  " +
                       abiLockLine(nextMajor, header) + ")"};
  }
  const bool newer = hv->major > lv.major || (hv->major == lv.major && hv->minor > lv.minor);
  if (!newer) {
    return {false, "plugin_abi.h says ABI " + hv->text() + " but sdk/abi.lock already locked " + lv.text() +
                       ": versions only go up; restore the header's version"};
  }
  if (hv->major > lv.major && hv->minor != 0) {
    return {false, "plugin_abi.h bumps the major version to " + std::to_string(hv->major) +
                       " but keeps CRMSYNC_ABI_MINOR " + std::to_string(hv->minor) +
                       ": a major bump resets CRMSYNC_ABI_MINOR to 0"};
  }
  return {false, "plugin_abi.h was bumped from ABI " + lv.text() + " to " + hv->text() +
                     " but sdk/abi.lock was not updated; update sdk/abi.lock with\n  " +
                     abiLockLine(*hv, header)};
}

}  // namespace crmsync::sdk::testing
