// Which files a `path` setting names, and which reader each one needs.
#pragma once

#include "source_options.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace crmsync::spreadsheet {

/// The files `path` names, in a stable order: a single file; a folder's spreadsheet files sorted by name; or the
/// files a glob ("drop/*.csv") matches, sorted. Excel lock files ("~$x.xlsx") and hidden files are left out.
/// Throws sdk::Error(CRMSYNC_ERR_IO) when a plain path does not exist or a folder cannot be listed; a folder or
/// glob with no spreadsheet in it gives an empty list (a drop folder may well be empty).
std::vector<std::string> listInputFiles(const std::string& path, FileFormat format);

/// How to read one file, from the configured format, its extension and its first bytes. Throws sdk::Error
/// naming the file for an old .xls workbook (unsupported) or content that contradicts the format.
FileFormat detectFormat(const std::string& path, std::string_view head, FileFormat configured);

/// The last path component: what origins and default keys use ("contacts.csv").
std::string fileName(const std::string& path);

}  // namespace crmsync::spreadsheet
