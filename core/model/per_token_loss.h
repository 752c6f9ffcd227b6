// Where a causal model is surprised: the loss of every next token of a text, and what the
// model expected instead.
#pragma once

#include <vector>

#include "model/generate.h"
#include "model/gpt.h"

namespace gptlab {

struct NextTokenLoss {
  float loss;                  // -log p(tokens[t + 1] | tokens[..t]), in nats
  std::vector<Candidate> top;  // the k most likely next tokens at position t
};

// For each position t < T - 1 of tokens (1 <= T <= block_size): the loss of the token that
// follows and the k most likely next tokens. Their mean is the model's loss on the sequence
// with targets = the next tokens. Throws ShapeError for a bidirectional model or a text that
// does not fit the block.
std::vector<NextTokenLoss> per_token_loss(Gpt<float>& model, const std::vector<int>& tokens, int k);

}  // namespace gptlab
