// SOCI reports failures by exception; the engine wants Status values. guardSql is the one place that turns one
// into the other.
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "crmsync/core/status.hpp"

namespace crmsync::store {

/// Runs fn and returns OK, or a kStoreError naming what was being done and what the database said.
template <typename Fn>
Status guardSql(const std::string& doing, Fn&& fn) {
  try {
    std::forward<Fn>(fn)();
    return Status::ok();
  } catch (const std::exception& e) {
    std::string what = e.what();
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    return storeError(doing + ": " + what);
  }
}

}  // namespace crmsync::store
