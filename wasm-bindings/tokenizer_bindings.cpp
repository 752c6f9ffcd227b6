// JavaScript surface of the tokenizers. A Tokenizer object owns one core
// tokenizer (char or BPE); arrays come back as fresh copies (Int32Array,
// Uint8Array) that stay valid after the call.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "js_arrays.h"
#include "js_errors.h"
#include "text/pretokenize.h"
#include "text/tokenizer_bpe.h"
#include "text/tokenizer_char.h"
#include "text/tokenizer_file.h"

namespace gptlab::wasm {
namespace {

using emscripten::val;

// A JS string as UTF-8, written by the engine's TextEncoder straight into WASM
// memory (several times faster than embind's own string conversion for a
// novel-length text). Lone surrogates become U+FFFD.
std::string utf8_from(const val& text) {
  if (!text.isString()) throw TokenizerError("The text to encode must be a string.");
  static const val encoder = val::global("TextEncoder").new_();
  std::string bytes(text["length"].as<std::size_t>() * 3, '\0');  // UTF-16 code unit -> at most 3 bytes
  const val view(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<unsigned char*>(bytes.data())));
  bytes.resize(encoder.call<val>("encodeInto", text, view)["written"].as<std::size_t>());
  return bytes;
}

std::vector<std::string> strings_from(const val& array) {
  return emscripten::vecFromJSArray<std::string>(array);
}

class JsTokenizer {
 public:
  explicit JsTokenizer(std::unique_ptr<Tokenizer> t) : t_(std::move(t)) {}

  static JsTokenizer* train_char(std::string corpus, val specials) {
    return guard([&] {
      return new JsTokenizer(
          std::make_unique<CharTokenizer>(CharTokenizer::train(corpus, strings_from(specials))));
    });
  }
  // on_progress(done, total) is called after every merge (if it is a function).
  static JsTokenizer* train_bpe(std::string corpus, int vocab_size, std::string split, val specials,
                                val on_progress) {
    return guard([&] {
      BpeTrainOptions o{vocab_size, parse_split_pattern(split), strings_from(specials), {}};
      if (on_progress.typeOf().as<std::string>() == "function")
        o.progress = [&](int done, int total) { on_progress(done, total); };
      auto trained = BpeTokenizer::train(corpus, o);
      auto* t = new JsTokenizer(std::make_unique<BpeTokenizer>(std::move(trained.tokenizer)));
      t->stopped_early_ = trained.stopped_early;
      return t;
    });
  }
  // specials: [{text, id}, ...]
  static JsTokenizer* from_tiktoken(std::string ranks, std::string split, val specials) {
    return guard([&] {
      std::vector<SpecialToken> list;
      for (const val& s : emscripten::vecFromJSArray<val>(specials))
        list.push_back({s["text"].as<std::string>(), s["id"].as<int>()});
      return new JsTokenizer(std::make_unique<BpeTokenizer>(
          BpeTokenizer::from_tiktoken(ranks, parse_split_pattern(split), std::move(list))));
    });
  }
  static JsTokenizer* load(std::string json) {
    return guard([&] { return new JsTokenizer(load_tokenizer(json)); });
  }
  static JsTokenizer* import_hf(std::string json) {
    return guard([&] { return new JsTokenizer(std::make_unique<BpeTokenizer>(import_hf_tokenizer(json))); });
  }

  std::string kind() const { return t_->kind(); }
  int vocab_size() const { return t_->vocab_size(); }
  val encode(val text, bool allow_special) const {
    return guard([&] {
      const std::string bytes = utf8_from(text);
      return copy_to_js("Int32Array",
                        t_->encode(bytes, allow_special ? AllowedSpecials::every() : AllowedSpecials{}));
    });
  }
  std::string decode(val ids) const {
    return guard([&] { return t_->decode(emscripten::convertJSArrayToNumberVector<int>(ids)); });
  }
  val token_bytes(int id) const {
    return guard([&] { return bytes_to_js(t_->token_bytes(id)); });
  }
  // [{text, id}, ...]
  val specials() const {
    val out = val::array();
    for (const SpecialToken& s : t_->specials()) {
      val o = val::object();
      o.set("text", s.text);
      o.set("id", s.id);
      out.call<void>("push", o);
    }
    return out;
  }
  // BPE only: the merges in rank order, flattened [left, right, result, ...].
  val merges() const {
    return guard([&] {
      std::vector<int> flat;
      for (const Merge& m : bpe().merges()) flat.insert(flat.end(), {m.left, m.right, m.result});
      return copy_to_js("Int32Array", flat);
    });
  }
  // BPE with learned merges: a new tokenizer with only the first k of them.
  JsTokenizer* with_first_merges(int k) const {
    return guard([&] { return new JsTokenizer(std::make_unique<BpeTokenizer>(bpe().with_first_merges(k))); });
  }
  std::string split() const {
    return guard([&] { return std::string(split_pattern_name(bpe().split())); });
  }
  // After trainBpe: the sentence saying why training stopped before the vocabulary size, or null.
  val stopped_early() const { return stopped_early_ ? val(*stopped_early_) : val::null(); }
  std::string save() const {
    return guard([&] { return save_tokenizer(*t_); });
  }
  std::string export_hf() const {
    return guard([&] { return export_hf_tokenizer(bpe()); });
  }

 private:
  const BpeTokenizer& bpe() const {
    if (auto* b = dynamic_cast<const BpeTokenizer*>(t_.get())) return *b;
    throw TokenizerError("Only a BPE tokenizer has merges, a split pattern or a Hugging Face export.");
  }
  std::unique_ptr<Tokenizer> t_;
  std::optional<std::string> stopped_early_;
};

// The chunks of a text under a split pattern, as strings.
val split_text(std::string text, std::string pattern) {
  return guard([&] {
    val out = val::array();
    for (std::string_view c : split_chunks(text, parse_split_pattern(pattern)))
      out.call<void>("push", std::string(c));
    return out;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(gptlab_tokenizers) {
  using emscripten::allow_raw_pointers;
  emscripten::function("splitText", &split_text);
  emscripten::class_<JsTokenizer>("Tokenizer")
      .class_function("trainChar", &JsTokenizer::train_char, allow_raw_pointers())
      .class_function("trainBpe", &JsTokenizer::train_bpe, allow_raw_pointers())
      .class_function("fromTiktoken", &JsTokenizer::from_tiktoken, allow_raw_pointers())
      .class_function("load", &JsTokenizer::load, allow_raw_pointers())
      .class_function("importHf", &JsTokenizer::import_hf, allow_raw_pointers())
      .function("kind", &JsTokenizer::kind)
      .function("vocabSize", &JsTokenizer::vocab_size)
      .function("encode", &JsTokenizer::encode)
      .function("decode", &JsTokenizer::decode)
      .function("tokenBytes", &JsTokenizer::token_bytes)
      .function("specials", &JsTokenizer::specials)
      .function("merges", &JsTokenizer::merges)
      .function("withFirstMerges", &JsTokenizer::with_first_merges, allow_raw_pointers())
      .function("split", &JsTokenizer::split)
      .function("stoppedEarly", &JsTokenizer::stopped_early)
      .function("save", &JsTokenizer::save)
      .function("exportHf", &JsTokenizer::export_hf);
}

}  // namespace gptlab::wasm
