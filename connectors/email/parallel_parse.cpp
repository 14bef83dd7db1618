#include "parallel_parse.hpp"

#include <algorithm>
#include <thread>

namespace crmsync::email {
namespace {

void parseChunk(MessageChunk& chunk, const MessageOptions& options) {
  chunk.results.clear();
  chunk.results.reserve(chunk.items.size());
  for (const auto& item : chunk.items) chunk.results.push_back(messageRecords(item.raw(), options, item.origin));
}

}  // namespace

OrderedParser::OrderedParser(const MessageOptions& options, size_t threads, Deliver deliver)
    : options_(options), threads_(threads), deliver_(std::move(deliver)) {
  if (threads_ == 0) threads_ = std::max(1u, std::thread::hardware_concurrency());
  if (threads_ > 1) {
    for (size_t i = 0; i < threads_; ++i) workers_.emplace_back([this] { work(); });
  }
}

OrderedParser::~OrderedParser() {
  // A run that stopped early (cancelled, an emit refused) still lets its tasks finish: they read the chunks.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void OrderedParser::work() {
  for (;;) {
    std::packaged_task<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void OrderedParser::submit(std::unique_ptr<MessageChunk> chunk) {
  if (threads_ == 1) {
    parseChunk(*chunk, options_);
    deliver_(*chunk);
    return;
  }
  MessageChunk* raw = chunk.get();
  const MessageOptions* options = &options_;
  std::packaged_task<void()> task([raw, options] { parseChunk(*raw, *options); });
  std::future<void> done = task.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  inflight_.emplace_back(std::move(chunk), std::move(done));
  // One chunk per thread being parsed, and one more so a thread finds work while the caller emits.
  while (inflight_.size() > threads_ + 1) deliverFront();
}

void OrderedParser::finish() {
  while (!inflight_.empty()) deliverFront();
}

void OrderedParser::deliverFront() {
  auto front = std::move(inflight_.front());
  inflight_.pop_front();
  front.second.get();  // rethrows what the task threw
  deliver_(*front.first);
}

}  // namespace crmsync::email
