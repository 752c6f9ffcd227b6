// Muon (Keller Jordan, 2024: MomentUm Orthogonalized by Newton-Schulz) for one weight matrix W
// (rows x cols), scaled as Moonlight does (Liu et al., 2025, "Muon is scalable for LLM training") so
// that it takes AdamW's learning rate and weight decay:
//   b = mu b + g                 momentum
//   u = g + mu b                 Nesterov's look-ahead
//   O = NS5(u)                   u = U S V^T  ->  about U V^T: every direction of the update gets
//                                about the same size, the rare ones as much as the dominant one
//   W = W - lr (0.2 sqrt(max(rows, cols)) O + wd W)
// O's entries have RMS about 1 / sqrt(max(rows, cols)); the factor 0.2 sqrt(max(rows, cols)) gives the
// update the RMS of a typical AdamW update (~0.2), so one learning rate serves both optimizers.
// Used for the 2-D weights inside the transformer blocks; embeddings, the LM head, biases and norms stay
// on AdamW (AdamWConfig::optimizer picks it).
#pragma once

#include <span>

#include "numerics/tensor.h"

namespace gptlab {

// Newton-Schulz iteration, in place: X = G / ||G||_F, then 5 times
//   A = X X^T      X = a X + (b A + c A^2) X      (a, b, c) = (3.4445, -4.7750, 2.0315)
// Each step maps every singular value s of X to a s + b s^3 + c s^5 and keeps the singular vectors;
// these coefficients (Jordan's) push every singular value into about [0.7, 1.2] in 5 steps rather than
// to exactly 1. For a tall X (rows > cols) the same with the smaller A = X^T X and X = a X + X (b A + c A^2).
void orthogonalize(Matrix x);
// The multiply-adds orthogonalize does on a rows x cols matrix: 5 x (2 n^2 m + n^3) for n = min, m = max
// of the two (what the trainer balances its threads by).
double orthogonalize_cost(int rows, int cols);

struct MuonStep {
  float lr, weight_decay, momentum;
};

// One Muon step of the weight matrix w (rows x cols, row-major) with gradient g and momentum buffer b
// (same layout). Returns the squared L2 norm of the change made to w.
double muon_update(std::span<float> w, std::span<const float> g, std::span<float> b, int rows, int cols,
                   const MuonStep& step);

}  // namespace gptlab
