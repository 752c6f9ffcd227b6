// A fixed team of threads for data-parallel training. run(n, task) calls task(0),
// ..., task(n - 1): task k on team member k % size() (member 0 is the calling
// thread) and returns when all are done, rethrowing the first exception a task
// threw. Where the platform cannot start threads (a WASM build without pthreads,
// or a browser without SharedArrayBuffer) the team is just the caller.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gptlab {

class ThreadPool {
 public:
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  static constexpr bool kBuildHasThreads = false;
#else
  static constexpr bool kBuildHasThreads = true;
#endif
  // Starts up to threads - 1 helpers (fewer if the platform refuses more).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(team_.size()) + 1; }
  void run(int n, const std::function<void(int)>& task);

 private:
  void work(int member);
  void run_share(int member);  // this member's tasks; records the first exception

  std::vector<std::thread> team_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int tasks_ = 0, busy_ = 0;
  long round_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace gptlab
