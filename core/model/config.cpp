#include "model/config.h"

#include <iterator>

#include "errors.h"

namespace gptlab {

int GptConfig::ffn_hidden() const {
  if (ffn == Ffn::none) return 0;
  if (ffn == Ffn::gelu) return 4 * n_embd;
  const int hidden = 2 * (4 * n_embd) / 3;
  return ffn_multiple_of * ((hidden + ffn_multiple_of - 1) / ffn_multiple_of);
}

void GptConfig::validate() const {
  auto need = [](bool ok, const std::string& sentence) {
    if (!ok) throw ShapeError(sentence);
  };
  need(vocab_size >= 1, "The vocabulary needs at least one token.");
  need(block_size >= 1, "The block size (context length) must be at least 1.");
  need(n_layer >= 0 && n_layer <= 1000, "The number of layers must be between 0 and 1000.");
  need(n_head >= 1, "The model needs at least one attention head.");
  need(n_embd >= 1, "The embedding width n_embd must be at least 1.");
  need(n_embd % n_head == 0, "n_embd (" + std::to_string(n_embd) +
                                 ") must be divisible by the number of heads (" + std::to_string(n_head) +
                                 ").");
  need(positions != Positions::rope || head_dim() % 2 == 0,
       "RoPE rotates pairs of numbers, so the head size n_embd / n_head (" + std::to_string(head_dim()) +
           ") must be even.");
  need(dropout >= 0.0f && dropout < 1.0f, "Dropout must be at least 0 and below 1.");
  need(ffn_multiple_of >= 1, "ffn_multiple_of must be at least 1.");
  need(rope_base > 1.0f, "The RoPE base must be above 1.");
  const double params = 12.0 * n_layer * n_embd * static_cast<double>(n_embd) + 2.0 * vocab_size * n_embd;
  need(params < 2e9, "This configuration has about " + std::to_string(static_cast<long long>(params / 1e6)) +
                         " million parameters; gptlab models stay below 2 billion.");
  need(static_cast<double>(vocab_size) * n_embd < 2e9 && static_cast<double>(block_size) * n_embd < 2e9,
       "The embedding tables of this configuration are too large.");
}

// ---- option names ----------------------------------------------------------------------

namespace {

// Each option's values in enum order and their names, index for index.
template <typename E>
struct Names;
template <>
struct Names<Positions> {
  static constexpr const char* option = "positions";
  static constexpr Positions values[] = {Positions::none, Positions::learned, Positions::rope};
  static constexpr const char* names[] = {"none", "learned", "rope"};
};
template <>
struct Names<Ffn> {
  static constexpr const char* option = "ffn";
  static constexpr Ffn values[] = {Ffn::none, Ffn::gelu, Ffn::swiglu};
  static constexpr const char* names[] = {"none", "gelu", "swiglu"};
};
template <>
struct Names<Norm> {
  static constexpr const char* option = "norm";
  static constexpr Norm values[] = {Norm::none, Norm::layernorm, Norm::rmsnorm};
  static constexpr const char* names[] = {"none", "layernorm", "rmsnorm"};
};
template <>
struct Names<AttentionMode> {
  static constexpr const char* option = "attention";
  static constexpr AttentionMode values[] = {AttentionMode::causal, AttentionMode::bidirectional};
  static constexpr const char* names[] = {"causal", "bidirectional"};
};
template <>
struct Names<Objective> {
  static constexpr const char* option = "objective";
  static constexpr Objective values[] = {Objective::causal, Objective::masked, Objective::mntp};
  static constexpr const char* names[] = {"causal", "masked", "mntp"};
};
template <>
struct Names<TokenizerKind> {
  static constexpr const char* option = "tokenizer";
  static constexpr TokenizerKind values[] = {TokenizerKind::characters, TokenizerKind::bpe,
                                             TokenizerKind::bpe_gpt2, TokenizerKind::bpe_gpt4};
  static constexpr const char* names[] = {"char", "bpe", "bpe-gpt2", "bpe-gpt4"};
};
template <>
struct Names<Decay> {
  static constexpr const char* option = "decay";
  static constexpr Decay values[] = {Decay::none, Decay::all, Decay::matrices};
  static constexpr const char* names[] = {"none", "all", "matrices"};
};
template <>
struct Names<Optimizer> {
  static constexpr const char* option = "optimizer";
  static constexpr Optimizer values[] = {Optimizer::adamw, Optimizer::muon};
  static constexpr const char* names[] = {"adamw", "muon"};
};

template <typename E>
const char* name_of(E value) {
  for (std::size_t i = 0; i < std::size(Names<E>::values); ++i)
    if (Names<E>::values[i] == value) return Names<E>::names[i];
  return "?";
}

// "a or b", "a, b or c"
template <typename E>
std::string spoken_list() {
  const std::size_t n = std::size(Names<E>::names);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 == n ? " or " : ", ";
    out += Names<E>::names[i];
  }
  return out;
}

template <typename E>
E parse_name(std::string_view name) {
  for (std::size_t i = 0; i < std::size(Names<E>::names); ++i)
    if (name == Names<E>::names[i]) return Names<E>::values[i];
  throw OptionError("Unknown " + std::string(Names<E>::option) + " \"" + std::string(name) + "\"; use " +
                    spoken_list<E>() + ".");
}

}  // namespace

const char* to_string(Positions p) { return name_of(p); }
const char* to_string(Ffn f) { return name_of(f); }
const char* to_string(Norm n) { return name_of(n); }
const char* to_string(AttentionMode a) { return name_of(a); }
const char* to_string(Objective o) { return name_of(o); }
const char* to_string(TokenizerKind t) { return name_of(t); }
const char* to_string(Decay d) { return name_of(d); }
const char* to_string(Optimizer o) { return name_of(o); }

Positions parse_positions(std::string_view name) { return parse_name<Positions>(name); }
Ffn parse_ffn(std::string_view name) { return parse_name<Ffn>(name); }
Norm parse_norm(std::string_view name) { return parse_name<Norm>(name); }
AttentionMode parse_attention(std::string_view name) { return parse_name<AttentionMode>(name); }
Objective parse_objective(std::string_view name) { return parse_name<Objective>(name); }
TokenizerKind parse_tokenizer_kind(std::string_view name) { return parse_name<TokenizerKind>(name); }
Decay parse_decay(std::string_view name) { return parse_name<Decay>(name); }
Optimizer parse_optimizer(std::string_view name) { return parse_name<Optimizer>(name); }

template <typename E>
std::span<const E> all_values() {
  return Names<E>::values;
}

template <typename E>
std::string option_names(std::string_view separator) {
  std::string out;
  for (const char* name : Names<E>::names) {
    if (!out.empty()) out += separator;
    out += name;
  }
  return out;
}

#define GPTLAB_OPTION(E)                       \
  template std::span<const E> all_values<E>(); \
  template std::string option_names<E>(std::string_view separator);
GPTLAB_OPTION(Positions)
GPTLAB_OPTION(Ffn)
GPTLAB_OPTION(Norm)
GPTLAB_OPTION(AttentionMode)
GPTLAB_OPTION(Objective)
GPTLAB_OPTION(TokenizerKind)
GPTLAB_OPTION(Decay)
GPTLAB_OPTION(Optimizer)
#undef GPTLAB_OPTION

}  // namespace gptlab
