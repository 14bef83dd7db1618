// Runs the database side of a run on its own thread: the load stage (and any stage after it) and quarantine
// writes, while the source's thread keeps reading and normalizing the next batches. The store session is used
// by this thread only while batches are in flight; drain() hands it back.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crmsync/core/record.hpp"
#include "crmsync/core/status.hpp"
#include "crmsync/pipeline/stage.hpp"

namespace crmsync::pipeline {

struct StageSlot;

class BatchWriter {
 public:
  /// stages: the slots this thread runs, in order (from the load stage on). capacity: batches that may wait.
  BatchWriter(std::vector<StageSlot*> stages, RunContext& run, size_t capacity = 4);
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  /// Queues a batch of one source, blocking while the queue is full. False once writing has failed: the
  /// caller stops reading and drain() tells why.
  bool push(const std::string& source, std::vector<Record> records, std::vector<Rejected> rejected);

  /// Waits until every queued batch is written. Returns the first failure, if any; after it the caller may use
  /// the transaction from its own thread until the next push().
  Status drain();

  bool failed() const;

 private:
  struct Item {
    std::string source;
    std::vector<Record> records;
    std::vector<Rejected> rejected;
  };

  void loop();
  Status write(Item& item);

  std::vector<StageSlot*> stages_;
  RunContext& run_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Item> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  Status failure_;
  std::thread thread_;
};

}  // namespace crmsync::pipeline
