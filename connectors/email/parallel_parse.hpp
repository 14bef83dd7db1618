// Parses messages on several threads and hands the results back in mailbox order, so a multi-core machine
// splits a large mbox faster while records, quarantine and the cursor stay exactly as a sequential read makes
// them. Only the calling thread talks to the host.
#pragma once

#include "message.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace crmsync::email {

/// Messages parsed together by one task. A message's bytes are either a view into the mailbox (which must
/// outlive the chunk) or a copy the chunk owns (after From-unquoting).
struct MessageChunk {
  struct Item {
    std::string origin;
    std::string_view view;
    std::string owned;
    bool usesOwned = false;
    std::string_view raw() const { return usesOwned ? std::string_view(owned) : view; }
  };
  std::vector<Item> items;
  std::vector<MessageRecords> results;  // filled by the parser, one per item
};

class OrderedParser {
 public:
  using Deliver = std::function<void(MessageChunk&)>;
  /// threads 0: one per core. With one thread chunks are parsed on the calling thread.
  OrderedParser(const MessageOptions& options, size_t threads, Deliver deliver);
  ~OrderedParser();
  OrderedParser(const OrderedParser&) = delete;
  OrderedParser& operator=(const OrderedParser&) = delete;

  /// Starts parsing a chunk; delivers the oldest finished chunks once enough are in flight.
  void submit(std::unique_ptr<MessageChunk> chunk);
  /// Waits for every chunk and delivers the rest, in order.
  void finish();
  size_t threads() const { return threads_; }

 private:
  void deliverFront();
  void work();

  const MessageOptions& options_;
  size_t threads_;
  Deliver deliver_;
  std::deque<std::pair<std::unique_ptr<MessageChunk>, std::future<void>>> inflight_;
  // Long-lived workers: GLib, GMime and iconv keep per-thread caches that a thread per chunk would rebuild.
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<void()>> tasks_;
  bool stopping_ = false;
};

}  // namespace crmsync::email
