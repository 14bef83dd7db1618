#include "batch_writer.hpp"

#include <chrono>

#include "crmsync/store/store.hpp"
#include "source_host.hpp"

namespace crmsync::pipeline {

BatchWriter::BatchWriter(std::vector<StageSlot*> stages, RunContext& run, size_t capacity)
    : stages_(std::move(stages)), run_(run), capacity_(capacity), thread_([this] { loop(); }) {}

BatchWriter::~BatchWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool BatchWriter::push(const std::string& source, std::vector<Record> records, std::vector<Rejected> rejected) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.size() < capacity_ || !failure_.isOk(); });
  if (!failure_.isOk()) return false;
  queue_.push_back({source, std::move(records), std::move(rejected)});
  changed_.notify_all();
  return true;
}

Status BatchWriter::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return (queue_.empty() && !busy_) || !failure_.isOk(); });
  // After a failure nothing more is written; waiting for the rest would only delay the rollback.
  if (!failure_.isOk()) changed_.wait(lock, [this] { return !busy_; });
  return failure_;
}

bool BatchWriter::failed() const {
  std::lock_guard lock(mutex_);
  return !failure_.isOk();
}

void BatchWriter::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || (!queue_.empty() && failure_.isOk()); });
    if (stopping_) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    changed_.notify_all();  // room in the queue
    lock.unlock();
    Status st = write(item);
    lock.lock();
    busy_ = false;
    if (!st.isOk() && failure_.isOk()) {
      failure_ = st;
      queue_.clear();
    }
    changed_.notify_all();
  }
}

Status BatchWriter::write(Item& item) {
  std::vector<Rejected> rejected = std::move(item.rejected);
  for (auto* slot : stages_) {
    if (!slot->appliesTo(item.source)) continue;
    auto t0 = std::chrono::steady_clock::now();
    Status st = slot->stage->process(item.source, item.records, rejected, run_);
    slot->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.isOk()) return st.withContext("stage '" + slot->name + "' on source '" + item.source + "'");
  }
  for (const auto& r : rejected) {
    Status st = run_.txn->quarantine(r);
    if (!st.isOk()) return st.withContext("quarantine of source '" + item.source + "'");
  }
  return Status::ok();
}

}  // namespace crmsync::pipeline
