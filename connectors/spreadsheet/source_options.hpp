// The spreadsheet source's settings, checked once at open() so a bad pipeline fails before any file is read.
#pragma once

#include "encoding.hpp"

#include <crmsync/sdk/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crmsync::spreadsheet {

/// Which reader a file goes to. Auto decides by extension and, for ZIP content, by magic bytes.
enum class FileFormat { Auto, Csv, Xlsx };

/// Every setting of the spreadsheet source, with defaults applied.
struct SourceOptions {
  std::string path;
  FileFormat format = FileFormat::Auto;
  TextEncoding encoding = TextEncoding::Auto;
  char delimiter = 0;  // 0: sniff
  std::optional<std::string> sheet;
  size_t headerRow = 1;
  std::map<std::string, std::string> columns;
  std::vector<std::string> key;
  std::string entity = "customer";
  // Small enough that the engine writes one batch while the next is read and normalized (a 5,000-row file
  // in one batch was read, then written, with nothing overlapping), large enough for the normalize stage to
  // split it across threads (from 1,024 records) and for per-batch costs to vanish.
  size_t batchSize = 1024;
  std::optional<std::string> updatedAtColumn;
  bool skipUnchanged = true;

  /// Hash of every setting that changes the records a file turns into (not path, batch_size or
  /// skip_unchanged). When it differs from the last run's, unchanged files must be read again.
  uint64_t settingsHash() const;

  /// Reads and checks the config. Throws sdk::Error(CRMSYNC_ERR_CONFIG) naming the key and the allowed values.
  static SourceOptions fromConfig(const sdk::Config& config);
};

}  // namespace crmsync::spreadsheet
