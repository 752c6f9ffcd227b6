// RoPE's rotation tables, for the page that shows how a query/key pair turns with position.
#include <emscripten/bind.h>

#include <vector>

#include "errors.h"
#include "js_arrays.h"
#include "js_errors.h"
#include "model/layers.h"

namespace gptlab::wasm {
namespace {

using emscripten::val;

// {cos, sin}: (positions x head_dim/2) tables, entry (t, i) for pair i at position t.
val rope_tables_js(int positions, int head_dim, float base) {
  return guard([&] {
    if (positions < 1 || positions > 4096 || head_dim < 2 || head_dim % 2 || head_dim > 1024 || !(base > 1))
      throw ShapeError("RoPE tables need 1-4096 positions, an even head size of 2-1024 and a base above 1.");
    std::vector<float> cos(static_cast<std::size_t>(positions) * head_dim / 2), sin(cos.size());
    rope_tables(cos.data(), sin.data(), positions, head_dim, base);
    val out = val::object();
    out.set("cos", copy_to_js("Float32Array", cos));
    out.set("sin", copy_to_js("Float32Array", sin));
    return out;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(gptlab_rope) { emscripten::function("ropeTables", &rope_tables_js); }

}  // namespace gptlab::wasm
