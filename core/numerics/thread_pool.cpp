#include "numerics/thread_pool.h"

#include <system_error>

namespace gptlab {

ThreadPool::ThreadPool(int threads) {
  if constexpr (!kBuildHasThreads) return;
  for (int member = 1; member < threads; ++member) {
    try {
      team_.emplace_back(&ThreadPool::work, this, member);
    } catch (const std::system_error&) {
      break;  // the platform gives no more threads: work with the team so far
    }
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread& t : team_) t.join();
}

void ThreadPool::run(int n, const std::function<void(int)>& task) {
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    tasks_ = n;
    busy_ = static_cast<int>(team_.size());
    error_ = nullptr;
    ++round_;
  }
  start_.notify_all();
  run_share(0);
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0; });
  task_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::work(int member) {
  long seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stop_ || round_ != seen; });
      if (stop_) return;
      seen = round_;
    }
    run_share(member);
    std::lock_guard lock(mutex_);
    if (--busy_ == 0) done_.notify_one();
  }
}

void ThreadPool::run_share(int member) {
  for (int k = member; k < tasks_; k += size()) {
    try {
      (*task_)(k);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

}  // namespace gptlab
