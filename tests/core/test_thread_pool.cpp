#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "numerics/thread_pool.h"

using gptlab::ThreadPool;

TEST_CASE("a thread pool runs every task once, on as many threads as it has") {
  ThreadPool pool(3);
  CHECK(pool.size() == (ThreadPool::kBuildHasThreads ? 3 : 1));
  for (int n : {0, 1, 3, 10}) {
    std::vector<std::atomic<int>> runs(n);
    std::vector<std::thread::id> where(n);
    pool.run(n, [&](int k) {
      ++runs[k];
      where[k] = std::this_thread::get_id();
    });
    for (int k = 0; k < n; ++k) CHECK(runs[k] == 1);
    for (int k = 0; k < n; ++k) CHECK((where[k] == std::this_thread::get_id()) == (k % pool.size() == 0));
  }
}

TEST_CASE("a task's exception reaches the caller after every task has finished") {
  ThreadPool pool(2);
  std::atomic<int> finished = 0;
  CHECK_THROWS_WITH_AS(pool.run(6,
                                [&](int k) {
                                  if (k == 3) throw std::runtime_error("task 3 failed");
                                  ++finished;
                                }),
                       "task 3 failed", std::runtime_error);
  CHECK(finished == 5);
  pool.run(2, [&](int) { ++finished; });  // the pool still works
  CHECK(finished == 7);
}
