#include "crmsync/match/clustering.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace crmsync::match {
namespace {

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n), size_(n, 1) { std::iota(parent_.begin(), parent_.end(), uint32_t{0}); }

  uint32_t find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  /// Joins two roots; returns the surviving root.
  uint32_t join(uint32_t a, uint32_t b) {
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    return a;
  }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
};

// Ids -> dense indexes through a sorted table: deterministic and compact for millions of ids.
class IdTable {
 public:
  void add(int64_t id) { ids_.push_back(id); }
  void finish() {
    std::sort(ids_.begin(), ids_.end());
    ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  }
  bool find(int64_t id, uint32_t& index) const {
    const auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it == ids_.end() || *it != id) return false;
    index = static_cast<uint32_t>(it - ids_.begin());
    return true;
  }
  uint32_t at(int64_t id) const {
    uint32_t i = 0;
    find(id, i);
    return i;
  }
  int64_t id(uint32_t index) const { return ids_[index]; }
  size_t size() const { return ids_.size(); }

 private:
  std::vector<int64_t> ids_;
};

bool strongerFirst(const ScoredPair& a, const ScoredPair& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.first != b.first) return a.first < b.first;
  return a.second < b.second;
}

// Minimum-cost assignment of every row to a distinct column (rows <= columns), cost row-major. Returns the
// column of each row. Shortest augmenting paths with row and column potentials, O(rows^2 * columns).
std::vector<size_t> hungarian(const std::vector<double>& cost, size_t rows, size_t cols) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // 1-based with column 0 as the virtual start of each augmenting path.
  std::vector<double> u(rows + 1, 0.0);
  std::vector<double> v(cols + 1, 0.0);
  std::vector<size_t> rowOfCol(cols + 1, 0);
  std::vector<size_t> way(cols + 1, 0);
  std::vector<double> minv(cols + 1);
  std::vector<char> used(cols + 1);
  for (size_t i = 1; i <= rows; ++i) {
    rowOfCol[0] = i;
    size_t j0 = 0;
    std::fill(minv.begin(), minv.end(), kInf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const size_t i0 = rowOfCol[j0];
      double delta = kInf;
      size_t j1 = 0;
      for (size_t j = 1; j <= cols; ++j) {
        if (used[j]) continue;
        const double cur = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (size_t j = 0; j <= cols; ++j) {
        if (used[j]) {
          u[rowOfCol[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] != 0);
    do {
      const size_t j1 = way[j0];
      rowOfCol[j0] = rowOfCol[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<size_t> colOfRow(rows, 0);
  for (size_t j = 1; j <= cols; ++j) {
    if (rowOfCol[j] != 0) colOfRow[rowOfCol[j] - 1] = j - 1;
  }
  return colOfRow;
}

}  // namespace

ClusteringResult clusterPairs(std::span<const ScoredPair> pairs, double threshold,
                              std::span<const IdPair> cannotLink, std::span<const int64_t> ids) {
  IdTable table;
  for (const auto& p : pairs) {
    table.add(p.first);
    table.add(p.second);
  }
  for (int64_t id : ids) table.add(id);
  table.finish();

  // Constraints kept on both endpoints so that a join only needs to check the smaller cluster's list.
  std::vector<std::vector<uint32_t>> forbidden(table.size());
  for (const auto& c : cannotLink) {
    uint32_t a = 0;
    uint32_t b = 0;
    if (c.first == c.second || !table.find(c.first, a) || !table.find(c.second, b)) continue;
    forbidden[a].push_back(b);
    forbidden[b].push_back(a);
  }

  std::vector<ScoredPair> ordered;
  for (const auto& p : pairs) {
    if (p.score >= threshold && p.first != p.second) ordered.push_back(p);
  }
  std::sort(ordered.begin(), ordered.end(), strongerFirst);

  ClusteringResult result;
  UnionFind uf(table.size());
  for (const auto& p : ordered) {
    const uint32_t ra = uf.find(table.at(p.first));
    const uint32_t rb = uf.find(table.at(p.second));
    if (ra == rb) continue;
    const bool aSmaller = forbidden[ra].size() <= forbidden[rb].size();
    const uint32_t small = aSmaller ? ra : rb;
    const uint32_t large = aSmaller ? rb : ra;
    bool conflict = false;
    for (uint32_t other : forbidden[small]) {
      if (uf.find(other) == large) {
        conflict = true;
        break;
      }
    }
    if (conflict) {
      result.refused.push_back(p);
      continue;
    }
    const uint32_t root = uf.join(ra, rb);
    const uint32_t gone = root == ra ? rb : ra;
    auto& into = forbidden[root];
    auto& from = forbidden[gone];
    if (into.size() < from.size()) into.swap(from);
    into.insert(into.end(), from.begin(), from.end());
    from = std::vector<uint32_t>();
  }

  std::vector<std::pair<uint32_t, uint32_t>> byRoot(table.size());
  for (uint32_t i = 0; i < table.size(); ++i) byRoot[i] = {uf.find(i), i};
  std::sort(byRoot.begin(), byRoot.end());
  for (size_t s = 0; s < byRoot.size();) {
    size_t e = s;
    std::vector<int64_t> cluster;
    while (e < byRoot.size() && byRoot[e].first == byRoot[s].first) cluster.push_back(table.id(byRoot[e++].second));
    result.clusters.push_back(std::move(cluster));  // indexes are in id order, so each cluster is sorted
    s = e;
  }
  std::sort(result.clusters.begin(), result.clusters.end(),
            [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return result;
}

AssignmentResult assignOneToOne(std::span<const ScoredPair> pairs, const AssignmentOptions& options) {
  AssignmentResult result;
  IdTable left;
  IdTable right;
  std::vector<ScoredPair> eligible;
  for (const auto& p : pairs) {
    if (p.score >= options.threshold && p.score > 0.0) eligible.push_back(p);
  }
  // Keep each (left, right) once, with its best score.
  std::sort(eligible.begin(), eligible.end(), [](const ScoredPair& a, const ScoredPair& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second != b.second) return a.second < b.second;
    return a.score > b.score;
  });
  eligible.erase(std::unique(eligible.begin(), eligible.end(),
                             [](const ScoredPair& a, const ScoredPair& b) {
                               return a.first == b.first && a.second == b.second;
                             }),
                 eligible.end());
  for (const auto& p : eligible) {
    left.add(p.first);
    right.add(p.second);
  }
  left.finish();
  right.finish();
  const size_t nl = left.size();

  // Components over left nodes 0..nl-1 and right nodes nl..nl+nr-1.
  UnionFind uf(nl + right.size());
  for (const auto& p : eligible) {
    const uint32_t a = uf.find(left.at(p.first));
    const uint32_t b = uf.find(static_cast<uint32_t>(nl + right.at(p.second)));
    if (a != b) uf.join(a, b);
  }
  std::vector<std::pair<uint32_t, uint32_t>> edgeByComponent(eligible.size());
  for (uint32_t i = 0; i < eligible.size(); ++i) edgeByComponent[i] = {uf.find(left.at(eligible[i].first)), i};
  std::sort(edgeByComponent.begin(), edgeByComponent.end());

  std::vector<ScoredPair> edges;
  std::unordered_map<int64_t, size_t> rowIndex;
  std::unordered_map<int64_t, size_t> colIndex;
  for (size_t s = 0; s < edgeByComponent.size();) {
    size_t e = s;
    edges.clear();
    while (e < edgeByComponent.size() && edgeByComponent[e].first == edgeByComponent[s].first) {
      edges.push_back(eligible[edgeByComponent[e++].second]);
    }
    s = e;
    rowIndex.clear();
    colIndex.clear();
    for (const auto& p : edges) {
      rowIndex.emplace(p.first, rowIndex.size());
      colIndex.emplace(p.second, colIndex.size());
    }
    // Rows are the smaller side so that every row can be assigned.
    const bool transposed = rowIndex.size() > colIndex.size();
    const size_t rows = transposed ? colIndex.size() : rowIndex.size();
    const size_t cols = transposed ? rowIndex.size() : colIndex.size();

    if (cols <= options.hungarianLimit) {
      ++result.exactComponents;
      // Cost 0 for a non-edge means "unassigned": with every edge at cost -score <= 0, a minimum-cost full
      // assignment restricted to its edges is a maximum-weight matching.
      std::vector<double> cost(rows * cols, 0.0);
      std::vector<ptrdiff_t> edgeAt(rows * cols, -1);
      for (size_t k = 0; k < edges.size(); ++k) {
        size_t r = rowIndex.at(edges[k].first);
        size_t c = colIndex.at(edges[k].second);
        if (transposed) std::swap(r, c);
        cost[r * cols + c] = -edges[k].score;
        edgeAt[r * cols + c] = static_cast<ptrdiff_t>(k);
      }
      const auto colOfRow = hungarian(cost, rows, cols);
      for (size_t r = 0; r < rows; ++r) {
        const ptrdiff_t k = edgeAt[r * cols + colOfRow[r]];
        if (k >= 0) result.links.push_back(edges[static_cast<size_t>(k)]);
      }
    } else {
      ++result.greedyComponents;
      std::sort(edges.begin(), edges.end(), strongerFirst);
      std::vector<char> rowUsed(rowIndex.size(), 0);
      std::vector<char> colUsed(colIndex.size(), 0);
      for (const auto& p : edges) {
        const size_t r = rowIndex.at(p.first);
        const size_t c = colIndex.at(p.second);
        if (rowUsed[r] || colUsed[c]) continue;
        rowUsed[r] = 1;
        colUsed[c] = 1;
        result.links.push_back(p);
      }
    }
  }
  std::sort(result.links.begin(), result.links.end(), [](const ScoredPair& a, const ScoredPair& b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  return result;
}

}  // namespace crmsync::match
