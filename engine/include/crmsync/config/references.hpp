// ${env:NAME} and ${file:PATH} references in configuration values. Their values are secrets by default: they
// are resolved only when needed and never printed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crmsync/core/status.hpp"

namespace crmsync::config {

struct Reference {
  std::string kind;  // env | file
  std::string name;  // variable name or path
  std::string text;  // "${env:NAME}"
};

/// Every reference in a string, in order. Malformed ones ("${env:}", "${foo:x}", unclosed) give an error.
Result<std::vector<Reference>> findReferences(const std::string& value);

/// The value of one reference; file paths resolve against baseDir. The error never contains the value.
Result<std::string> resolveReference(const Reference& ref, const std::string& baseDir);

/// The string with every reference replaced by its value.
Result<std::string> resolveReferences(const std::string& value, const std::string& baseDir);

}  // namespace crmsync::config
