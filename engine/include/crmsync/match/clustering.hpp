// From scored pairs to entities. Two ways, for the two kinds of matching:
//  - clusterPairs: dedupe (within one source or across sources). Matches are transitive: if a~b and b~c, then
//    a, b and c are one customer. Union-find over the pairs at or above the threshold, with cannot-link
//    constraints from people who split records apart.
//  - assignOneToOne: linking two clean datasets, where each record has at most one counterpart in the other.
//    Transitive closure would chain a~b'~c~d' into one entity; a maximum-weight assignment picks the best
//    consistent set of links instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crmsync/match/blocking.hpp"

namespace crmsync::match {

/// A compared pair and its score (higher means more alike; on the scale of the threshold used with it).
struct ScoredPair {
  int64_t first = 0;
  int64_t second = 0;
  double score = 0.0;
  friend bool operator==(const ScoredPair&, const ScoredPair&) = default;
};

struct ClusteringResult {
  /// Every id seen (in `ids` or in any pair, above the threshold or not) in exactly one cluster; each cluster
  /// sorted, clusters ordered by their smallest id. Singletons included.
  std::vector<std::vector<int64_t>> clusters;
  /// Pairs at or above the threshold that were not applied because joining their clusters would have put a
  /// cannot-link pair into one cluster, in the order they were considered.
  std::vector<ScoredPair> refused;
};

/// Clusters records by the transitive closure of the pairs whose score is >= threshold, never putting the two
/// records of a cannot-link pair into one cluster.
///
/// Pairs are applied strongest first (descending score, ties by ascending (first, second) so the result does
/// not depend on input order). A union that would join two clusters holding a cannot-link pair between them is
/// skipped and reported, so when evidence conflicts the strongest links win and a weaker link cannot drag two
/// split-apart records back together through a chain. Cannot-link pairs naming ids that are in no pair and not
/// in `ids` are ignored. Deterministic; O(p log p) for p pairs plus the constraint checks, which look only at
/// the constraints of the smaller of the two clusters being joined.
ClusteringResult clusterPairs(std::span<const ScoredPair> pairs, double threshold,
                              std::span<const IdPair> cannotLink = {}, std::span<const int64_t> ids = {});

struct AssignmentOptions {
  /// Pairs below this score are never linked.
  double threshold = 0.0;
  /// Components whose larger side has at most this many records are solved exactly (Hungarian, O(n^3) time,
  /// n^2 memory); larger ones greedily.
  size_t hungarianLimit = 200;
};

struct AssignmentResult {
  /// Links (first = left id, second = right id, score), sorted by (first, second).
  std::vector<ScoredPair> links;
  size_t exactComponents = 0;
  size_t greedyComponents = 0;
};

/// One-to-one linking of two datasets. In each pair `first` is a record of the left dataset and `second` one
/// of the right; the two id spaces are separate (left 7 and right 7 are different records). A repeated
/// (first, second) counts with its highest score.
///
/// The eligible pairs (score >= threshold) form a bipartite graph; each connected component is solved on its
/// own. A component whose larger side has at most hungarianLimit records gets a maximum-weight matching by the
/// Hungarian algorithm (shortest augmenting paths with potentials): no other set of links in which every record
/// has at most one partner has a higher total score. Larger components, which only coarse blocking produces,
/// are matched greedily by descending score (ties by ascending ids), which is at least half the optimum.
/// Scores are gains: a pair with score <= 0 adds nothing and is never linked, so use scores that are positive
/// above the threshold (probabilities, or match weights with a positive threshold).
AssignmentResult assignOneToOne(std::span<const ScoredPair> pairs, const AssignmentOptions& options = {});

}  // namespace crmsync::match
