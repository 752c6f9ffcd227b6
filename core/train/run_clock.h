// A run timed by the clock (`gptlab train --minutes`, the lab's "Minutes to train"): its length in
// steps comes from the speed it measures as it goes. The schedules are then set to end there
// (Trainer::set_total_steps).
#pragma once

#include <optional>

namespace gptlab {

class RunClock {
 public:
  RunClock(double budget_seconds, int eval_interval, int warmup);
  // After `step`, at `seconds` of training (pauses left out): the run's new length when an estimate
  // is due, else nothing. The first estimate comes at step 20, from the speed so far; then one at every
  // evaluation step, from the average speed since step 20 (the engine's warm-up left out, the
  // evaluations counted in). Averaged over more and more steps, the estimate settles, and as the time
  // left shrinks so does any error in it: the run ends within about one evaluation interval of the
  // budget even when the machine speeds up or slows down on the way. An estimate is `step` plus the
  // steps that fit the time left: at least one more, and more than the warmup.
  std::optional<int> steps_at(int step, double seconds);

 private:
  static constexpr int kFirst = 20;
  double budget_;
  int eval_interval_, warmup_;
  std::optional<double> first_seconds_;  // when step kFirst ended
};

}  // namespace gptlab
