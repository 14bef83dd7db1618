#include "crmsync/config/references.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace crmsync::config {

Result<std::vector<Reference>> findReferences(const std::string& value) {
  std::vector<Reference> refs;
  size_t pos = 0;
  while ((pos = value.find("${", pos)) != std::string::npos) {
    size_t end = value.find('}', pos);
    if (end == std::string::npos) return invalidConfig("unclosed '${' reference (expected ${env:NAME} or ${file:PATH})");
    std::string inner = value.substr(pos + 2, end - pos - 2);
    size_t colon = inner.find(':');
    Reference ref;
    ref.text = value.substr(pos, end - pos + 1);
    if (colon == std::string::npos) {
      return invalidConfig("reference '" + ref.text + "' has no kind (expected ${env:NAME} or ${file:PATH})");
    }
    ref.kind = inner.substr(0, colon);
    ref.name = inner.substr(colon + 1);
    if (ref.kind != "env" && ref.kind != "file") {
      return invalidConfig("unknown reference kind '" + ref.kind + "' in '" + ref.text +
                           "' (expected ${env:NAME} or ${file:PATH})");
    }
    if (ref.name.empty()) return invalidConfig("reference '" + ref.text + "' names nothing");
    refs.push_back(std::move(ref));
    pos = end + 1;
  }
  return refs;
}

Result<std::string> resolveReference(const Reference& ref, const std::string& baseDir) {
  if (ref.kind == "env") {
    const char* v = std::getenv(ref.name.c_str());
    if (!v) return invalidConfig("environment variable " + ref.name + " (from " + ref.text + ") is not set");
    return std::string(v);
  }
  std::filesystem::path p(ref.name);
  if (p.is_relative() && !baseDir.empty()) p = std::filesystem::path(baseDir) / p;
  std::ifstream in(p, std::ios::binary);
  if (!in) return invalidConfig("file " + p.string() + " (from " + ref.text + ") cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string content = ss.str();
  // Secret files usually end with a newline that is not part of the secret.
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  return content;
}

Result<std::string> resolveReferences(const std::string& value, const std::string& baseDir) {
  ASSIGN_OR_RETURN(auto refs, findReferences(value));
  if (refs.empty()) return value;
  std::string out;
  size_t pos = 0;
  for (const auto& ref : refs) {
    size_t at = value.find(ref.text, pos);
    out.append(value, pos, at - pos);
    ASSIGN_OR_RETURN(auto resolved, resolveReference(ref, baseDir));
    out += resolved;
    pos = at + ref.text.size();
  }
  out.append(value, pos, std::string::npos);
  return out;
}

}  // namespace crmsync::config
