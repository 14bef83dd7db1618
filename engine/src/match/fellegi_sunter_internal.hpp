// Shared between the Fellegi-Sunter source files; not part of the public API.
#pragma once

#include <string>
#include <vector>

#include "crmsync/core/status.hpp"
#include "crmsync/match/scorer.hpp"

namespace crmsync::match {

/// Floor used when parameters come from outside training (initial values, fromParameters, a loaded file).
inline constexpr double kFsDefaultFloor = 1e-9;

/// Checks that `p` has `levels` probabilities in [0, 1] summing to 1 (within 1e-3), then renormalises it.
Status fsCheckProbabilities(const std::string& what, std::vector<double>& p, size_t levels);

/// Names present and unique, levels 1..127.
Status fsCheckFields(const std::vector<ScoringField>& fields);

}  // namespace crmsync::match
