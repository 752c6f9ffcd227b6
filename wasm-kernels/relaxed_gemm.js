// Emscripten JS library: runs relaxed_gemm.c's macro-kernel (fused multiply-add through
// WebAssembly relaxed SIMD) beside the main module, on the main module's memory.
//
// The kernel's bytes are embedded below by embed.mjs at build time, so every thread (pthread
// workers load the same script) has them. Each thread instantiates its own copy on first use.
// Where relaxed SIMD is missing (Firefox, Safari, node 20 without
// --experimental-wasm-relaxed-simd) WebAssembly.validate fails and matmul.cpp keeps its
// SIMD128 kernel; nothing throws. The module stays within 4 KB (embed.mjs checks), so even a
// page's main thread may compile it synchronously. The factory option relaxedSimd: false keeps the SIMD128
// kernel even where relaxed SIMD exists (benchmarks compare the two in one process).
mergeInto(LibraryManager.library, {
  // The kernel's gemm_block export; null before the first try, false when unavailable.
  $gptlabRelaxedGemm: null,

  gptlab_relaxed_gemm_ready__deps: ['$gptlabRelaxedGemm'],
  gptlab_relaxed_gemm_ready: function () {
    if (gptlabRelaxedGemm === null) {
      gptlabRelaxedGemm = false;
      if (Module['relaxedSimd'] === false) return 0;
      try {
#if USE_PTHREADS
        var base64 = '@RELAXED_GEMM_SHARED_WASM@';
#else
        var base64 = '@RELAXED_GEMM_WASM@';
#endif
        var binary = atob(base64);
        var bytes = new Uint8Array(binary.length);
        for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        if (WebAssembly.validate(bytes)) {
          var instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: wasmMemory } });
          gptlabRelaxedGemm = instance.exports.gemm_block;
        }
      } catch (e) {
        gptlabRelaxedGemm = false;  // e.g. a memory the kernel's import does not accept
      }
    }
    return gptlabRelaxedGemm ? 1 : 0;
  },

  gptlab_relaxed_gemm_block__deps: ['$gptlabRelaxedGemm'],
  gptlab_relaxed_gemm_block: function (mc, nc, kc, a, lda, b, c, ldc, addToC, bias, scratch) {
    gptlabRelaxedGemm(mc, nc, kc, a, lda, b, c, ldc, addToC, bias, scratch);
  },
});
