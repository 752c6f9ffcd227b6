#include "train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "errors.h"
#include "json_fields.h"
#include "model/gpt.h"

namespace gptlab {

using nlohmann::json;

namespace {

constexpr char kMagic[8] = {'G', 'P', 'T', 'L', 'A', 'B', 'C', 'K'};

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
std::uint32_t get_u32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}
void put_floats(std::string& out, const std::vector<float>& v) {  // little-endian hosts (x86, WASM)
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

json tensors_json(const std::vector<ParamTensor>& tensors) {
  json out = json::array();
  for (const ParamTensor& t : tensors) out.push_back({{"name", t.name}, {"shape", t.shape}});
  return out;
}

[[noreturn]] void corrupt(const std::string& why) { throw Error("The checkpoint is damaged: " + why); }

}  // namespace

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), one table lookup per byte.
std::uint32_t crc32(std::string_view bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string config_to_json(const GptConfig& c) {
  return json{{"vocab_size", c.vocab_size},
              {"block_size", c.block_size},
              {"n_layer", c.n_layer},
              {"n_head", c.n_head},
              {"n_embd", c.n_embd},
              {"dropout", c.dropout},
              {"positions", to_string(c.positions)},
              {"ffn", to_string(c.ffn)},
              {"norm", to_string(c.norm)},
              {"attention", to_string(c.attention)},
              {"tie_weights", c.tie_weights},
              {"residual", c.residual},
              {"ffn_multiple_of", c.ffn_multiple_of},
              {"rope_base", c.rope_base}}
      .dump();
}

GptConfig config_from_json(std::string_view text) {
  return with_json_errors("model configuration", [&] {
    const json j = parse_json(text, "model configuration");
    GptConfig c;
    c.vocab_size = int_field(j, "vocab_size");
    c.block_size = int_field(j, "block_size");
    c.n_layer = int_field(j, "n_layer");
    c.n_head = int_field(j, "n_head");
    c.n_embd = int_field(j, "n_embd");
    c.dropout = field(j, "dropout").get<float>();
    c.positions = parse_positions(string_field(j, "positions"));
    c.ffn = parse_ffn(string_field(j, "ffn"));
    c.norm = parse_norm(string_field(j, "norm"));
    c.attention = parse_attention(string_field(j, "attention"));
    c.tie_weights = field(j, "tie_weights").get<bool>();
    // Absent in checkpoints written before the switch: the residual stream they all had.
    if (j.contains("residual")) c.residual = field(j, "residual").get<bool>();
    c.ffn_multiple_of = int_field(j, "ffn_multiple_of");
    c.rope_base = field(j, "rope_base").get<float>();
    c.validate();
    return c;
  });
}

std::string save_checkpoint(const Checkpoint& ck) {
  const bool with_optimizer = !ck.adam_m.empty();
  if (with_optimizer && (ck.adam_m.size() != ck.params.size() || ck.adam_v.size() != ck.params.size()))
    throw ShapeError("The optimizer state does not match the parameters.");
  const std::string header = json{
      {"model", ck.model_kind},
      {"config", json::parse(config_to_json(ck.config))},
      {"tokenizer", ck.tokenizer},
      {"objective", ck.objective},
      {"step", ck.step},
      {"tensors", tensors_json(ck.tensors)},
      {"num_params", ck.params.size()},
      {"optimizer", with_optimizer},
      {"optimizer_kind", ck.optimizer},
      {"rng", ck.rng_states}}.dump();
  std::string body;
  put_u32(body, static_cast<std::uint32_t>(header.size()));
  body += header;
  put_floats(body, ck.params);
  if (with_optimizer) {
    put_floats(body, ck.adam_m);
    put_floats(body, ck.adam_v);
  }
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kCheckpointVersion);
  out += body;
  put_u32(out, crc32(body));
  return out;
}

namespace {
// The optional "rng" field: a short list of 64-bit states (absent in older checkpoints).
std::vector<std::uint64_t> rng_states(const json& header) {
  if (!header.contains("rng")) return {};
  const json& rng = array_field(header, "rng");
  if (rng.size() > 16) corrupt("it lists too many random number states.");
  std::vector<std::uint64_t> out;
  for (const json& s : rng) {
    if (!s.is_number_unsigned()) corrupt("a random number state is not a whole number.");
    out.push_back(s.get<std::uint64_t>());
  }
  return out;
}

// The parameter tensors of the model a checkpoint describes. Throws ShapeError for a config no
// model can have.
std::vector<ParamTensor> expected_tensors(const Checkpoint& ck) {
  if (ck.model_kind == "gpt") {
    ck.config.validate();
    return Gpt<float>::layout(ck.config);
  }
  const int V = ck.config.vocab_size;  // a bigram: one V x V table
  if (V < 1 || V > 40000) throw ShapeError("A bigram model's vocabulary must have 1 to 40,000 tokens.");
  return {{"table.weight", 0, {V, V}}};
}
}  // namespace

Checkpoint load_checkpoint(std::string_view bytes) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw Error("This is not a gptlab checkpoint (it does not start with GPTLABCK).");
  if (bytes.size() < 20) corrupt("it is truncated (" + std::to_string(bytes.size()) + " bytes).");
  const std::uint32_t version = get_u32(bytes, 8);
  if (version != kCheckpointVersion)
    throw Error("This checkpoint has format version " + std::to_string(version) +
                "; this gptlab reads version " + std::to_string(kCheckpointVersion) + ".");
  const std::string_view body = bytes.substr(12, bytes.size() - 16);
  if (crc32(body) != get_u32(bytes, bytes.size() - 4))
    corrupt("its checksum does not match (the file was truncated or changed).");
  const std::uint32_t header_len = get_u32(body, 0);
  if (header_len > body.size() - 4) corrupt("its header runs past the end of the file.");
  return with_json_errors("checkpoint header", [&] {
    const json h = parse_json(body.substr(4, header_len), "checkpoint header");
    Checkpoint ck;
    ck.model_kind = string_field(h, "model");
    if (ck.model_kind != "gpt" && ck.model_kind != "bigram") corrupt("it holds an unknown kind of model.");
    ck.config = config_from_json(field(h, "config").dump());
    ck.tokenizer = string_field(h, "tokenizer");
    ck.objective = string_field(h, "objective");
    ck.step = int_field(h, "step");
    if (h.contains("optimizer_kind")) ck.optimizer = string_field(h, "optimizer_kind");
    // The tensors must be exactly those of the model its config describes (names, shapes, order),
    // checked before anything is allocated for them.
    ck.tensors = expected_tensors(ck);
    const json& tensors = array_field(h, "tensors");
    if (tensors.size() != ck.tensors.size()) corrupt("its tensors do not match its model's configuration.");
    for (std::size_t i = 0; i < tensors.size(); ++i)
      if (string_field(tensors[i], "name") != ck.tensors[i].name ||
          field(tensors[i], "shape").get<std::vector<int>>() != ck.tensors[i].shape)
        corrupt("its tensor " + ck.tensors[i].name + " does not match its model's configuration.");
    const std::size_t total = ck.tensors.back().offset + ck.tensors.back().size();
    const auto n = field(h, "num_params").get<std::size_t>();
    const bool with_optimizer = field(h, "optimizer").get<bool>();
    // n == total first: total comes from a validated config, so n * 3 * 4 cannot overflow.
    if (n != total || body.size() - 4 - header_len != n * (with_optimizer ? 3 : 1) * sizeof(float))
      corrupt("its sizes do not add up.");
    const char* data = body.data() + 4 + header_len;
    auto take = [&](std::vector<float>& v) {
      v.resize(n);
      std::memcpy(v.data(), data, n * sizeof(float));
      data += n * sizeof(float);
    };
    take(ck.params);
    if (with_optimizer) {
      take(ck.adam_m);
      take(ck.adam_v);
    }
    ck.rng_states = rng_states(h);
    return ck;
  });
}

std::unique_ptr<Gpt<float>> load_model(const Checkpoint& ck) {
  if (ck.model_kind != "gpt") throw Error("The checkpoint holds a " + ck.model_kind + " model, not a GPT.");
  auto model =
      std::make_unique<Gpt<float>>(ck.config, 0);  // the seed does not matter: every weight is replaced
  if (ck.params.size() != model->num_parameters())
    throw Error("The checkpoint has " + std::to_string(ck.params.size()) +
                " parameters; its configuration needs " + std::to_string(model->num_parameters()) + ".");
  std::copy(ck.params.begin(), ck.params.end(), model->params().begin());
  return model;
}

std::string export_safetensors(const Checkpoint& ck) {
  json header = {
      {"__metadata__",
       {{"format", "pt"}, {"gptlab_config", config_to_json(ck.config)}, {"gptlab_model", ck.model_kind}}}};
  std::size_t offset = 0;
  for (const ParamTensor& t : ck.tensors) {
    const std::size_t bytes = t.size() * sizeof(float);
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string h = header.dump();
  while ((8 + h.size()) % 8) h += ' ';  // the data starts 8-byte aligned
  std::string out;
  const std::uint64_t len = h.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((len >> (8 * i)) & 0xFF);
  out += h;
  for (const ParamTensor& t : ck.tensors)
    out.append(reinterpret_cast<const char*>(ck.params.data() + t.offset), t.size() * sizeof(float));
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("Cannot open " + path + ": " + std::strerror(errno) + ".");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw Error("Cannot read " + path + ".");
  return s.str();
}

// The bytes go to path.tmp, are flushed to the disk (fsync), and only then replace path
// (rename is atomic): a crash, a full disk or a kill at any moment leaves either the
// old file or the new one, never a mix.
void write_file(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw Error("Cannot write " + tmp + ": " + std::strerror(errno) + ".");
  const auto fail = [&](const std::string& what) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    std::remove(tmp.c_str());
    throw Error(what + " " + path + " failed (" + why + "); the previous file is unchanged.");
  };
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("Writing");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 && errno != EINVAL) fail("Writing");  // EINVAL: a file system without fsync
  if (::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("Writing " + path + " failed (" + why + "); the previous file is unchanged.");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("Cannot replace " + path + ": " + why + ".");
  }
}

}  // namespace gptlab
