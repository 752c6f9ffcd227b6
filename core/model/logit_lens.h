// The logit lens (nostalgebraist, 2020): read the residual stream at one position after
// every layer as if it were the last, logits = norm_f(x_l) lm_head^T, to see what the model
// would predict there so far.
#pragma once

#include <vector>

#include "model/generate.h"
#include "model/gpt.h"

namespace gptlab {

// For tokens (1 <= T <= block_size) and a position 0 <= position < T: the k most likely
// tokens of softmax(norm_f(x) lm_head^T) for the stream x at that position, n_layer + 1
// entries: [0] the embeddings, [l] after block l. The last entry is the model's own
// prediction there. Throws ShapeError for a text that does not fit or a position outside it.
std::vector<std::vector<Candidate>> logit_lens(Gpt<float>& model, const std::vector<int>& tokens,
                                               int position, int k);

}  // namespace gptlab
