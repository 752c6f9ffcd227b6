// Checkpoints: everything needed to resume training or sample, in one file.
//
//   "GPTLABCK"                       8 bytes, the magic
//   u32 format version (1)           little-endian, as every number here
//   u32 header length, header        JSON: model kind, config, tokenizer (gptlab's
//                                    tokenizer file), step, tensor names and shapes,
//                                    [the trainer's RNG states, for an exact resume],
//                                    [optimizer_kind: adamw (when absent) or muon]
//   params                           float32, the model's parameter block
//   [AdamW m, v]                     float32 each, if the header says so
//   u32 CRC-32                       over everything after the version
//
// Loading checks the magic, the version, the lengths and the CRC before it
// trusts anything, so a truncated or corrupted file is a sentence, not a crash.
// Files are written to a temporary name and renamed, so an interrupted write
// leaves the previous checkpoint intact.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "model/model.h"

namespace gptlab {

template <typename T>
class Gpt;

inline constexpr std::uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  std::string model_kind = "gpt";  // "gpt" or "bigram"
  GptConfig config;                // for a bigram, only vocab_size matters
  std::string tokenizer;           // gptlab tokenizer file (JSON)
  std::string objective = "causal";
  int step = 0;
  std::vector<ParamTensor> tensors;
  std::vector<float> params;
  std::vector<float> adam_m, adam_v;  // empty: no optimizer state
  std::string optimizer = "adamw";  // what adam_m holds for the block matrices: AdamW's m or Muon's momentum
  std::vector<std::uint64_t> rng_states;  // the trainer's random streams (empty: not saved)
};

std::string save_checkpoint(const Checkpoint& checkpoint);
Checkpoint load_checkpoint(std::string_view bytes);
// The checkpoint's GPT with its weights (what sampling, evaluation and resuming start
// from). Throws Error for a checkpoint of another kind of model or whose parameters
// do not fit its configuration.
std::unique_ptr<Gpt<float>> load_model(const Checkpoint& checkpoint);

// The weights as safetensors (names from ParamTensor, F32, row-major), with the
// config in the metadata; tools/load_safetensors.py reads it into PyTorch.
std::string export_safetensors(const Checkpoint& checkpoint);

std::uint32_t crc32(std::string_view bytes);

std::string config_to_json(const GptConfig& config);
GptConfig config_from_json(std::string_view json);

// File helpers with sentences for every failure. write_file writes to
// `path.tmp`, flushes it to the disk and renames it over `path`: whatever stops
// it (a full disk, a crash, a kill), `path` is the old file or the new one.
std::string read_file(const std::string& path);
void write_file(const std::string& path, std::string_view bytes);

}  // namespace gptlab
