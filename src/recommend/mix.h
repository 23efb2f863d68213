#pragma once
// Two frontier points sharing a workload: a share p of the inferences on the dearer one, 1 - p on
// the cheaper one, spends (1 - p) e_lo + p e_hi per inference in expectation and is expected to
// be right (1 - p) a_lo + p a_hi of the time. Between any two points of the upper concave hull of
// accuracy against energy, such a mix reaches every energy with the best accuracy any mix of the
// points can have there; a single point leaves the rest of the budget unspent. Plain numbers in,
// so the recommender plans with stored energies and the budget runtime re-plans with live ones.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace edgejoule {

struct MixOption {
  double energy_j = 0;  // per inference
  double top1 = 0;      // percent
};

// The options a mix can sit between: the upper concave hull of (energy, top1), cheapest first.
// An option that another costs no more than and beats (or ties at a lower index) is not on it.
std::vector<size_t> mix_hull(const std::vector<MixOption>& options);

struct Mix {
  size_t cheaper = 0;        // into the options
  size_t dearer = 0;         // == cheaper when one option takes every inference
  double dearer_share = 0;   // of the inferences, in [0, 1)
  double energy_j = 0;       // expected per inference
  double top1 = 0;           // expected, percent
  bool budget_exceeds_dearest = false;  // the most accurate option alone costs less than the target
};

// The mix that spends `target_j` per inference exactly in expectation (or the most accurate option
// alone when even it costs less). nullopt when the cheapest option costs more than the target.
std::optional<Mix> plan_mix(const std::vector<MixOption>& options, double target_j);

// Deterministic interleaving of a mix: after n inferences the dearer option has taken
// round(n x share) of them to within one, over every stretch of the run (error diffusion). With
// `block` > 1 the options alternate in runs (the dearer one `block` at a time) for when only one
// can be loaded at once; the share still holds over every cycle.
class MixSchedule {
 public:
  // Keeps the accumulated error across re-plans so a new share continues smoothly.
  void set(const Mix& mix, int block = 1);
  // The option for the next inference.
  size_t next();

 private:
  Mix mix_;
  int block_ = 1;
  double credit_ = 0;
  bool on_dearer_ = false;
};

struct Candidate;
struct Constraints;

// The mix for a budget per inference among the candidates that meet every constraint but the
// budget: indices into `candidates`. A mix spends the budget only in expectation, so it is
// advice for a run (edgejoule run), where the meter keeps it.
std::optional<Mix> recommend_mix(const std::vector<Candidate>& candidates, const Constraints& constraints);

}  // namespace edgejoule
