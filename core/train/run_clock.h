// A run timed by the clock (`gptlab train --minutes`, the lab's "Minutes to train"): its length in
// steps comes from the speed it measures as it goes. The schedules are then set to end there
// (Trainer::set_total_steps), early enough that the learning rate has hardly begun to decay.
#pragma once

#include <optional>

namespace gptlab {

class RunClock {
 public:
  RunClock(double budget_seconds, int eval_interval, int warmup);
  // After `step`, at `seconds` of training (pauses left out): the run's new length when an estimate
  // is due, else nothing. Estimates come at step 20, at each evaluation step in the first quarter of
  // the budget, and at the second evaluation in any case (from there on, each window between two
  // estimates holds one evaluation). An estimate is `step` plus the steps that fit the time left at
  // the speed since the last estimate: at least one more, and more than the warmup.
  std::optional<int> steps_at(int step, double seconds);

 private:
  double budget_;
  int eval_interval_, warmup_;
  int last_step_ = 0;
  double last_seconds_ = 0;
};

}  // namespace gptlab
