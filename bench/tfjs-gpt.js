// The benchmark GPT written in TensorFlow.js, as a peer for bench/train-browser.mjs:
// 4 layers, 4 heads, n_embd 128, block 64, batch 32, vocab 65, GELU (tanh), LayerNorm,
// dropout 0.1, Adam (betas 0.9/0.99), random tokens. Differences from gptlab's model,
// all in tfjs's favour: learned positions instead of RoPE, no weight decay, no clipping.
// Defines globalThis.benchTfjsGpt(steps) -> {tokensPerSecond, params, steps, loss, version}.
globalThis.benchTfjsGpt = async function benchTfjsGpt(steps) {
  const V = 65, C = 128, L = 4, H = 4, T = 64, B = 32, hs = C / H, p = 0.1;
  const normal = (shape, std = 0.02) => tf.variable(tf.randomNormal(shape, 0, std));
  const fill = (shape, v) => tf.variable(tf.fill(shape, v));
  const P = {
    wte: normal([V, C]), wpe: normal([T, C]), lnfG: fill([C], 1), lnfB: fill([C], 0), head: normal([C, V]),
    layers: Array.from({ length: L }, () => ({
      ln1G: fill([C], 1), ln1B: fill([C], 0), wqkv: normal([C, 3 * C]), bqkv: fill([3 * C], 0),
      wproj: normal([C, C], 0.02 / Math.sqrt(2 * L)), bproj: fill([C], 0), ln2G: fill([C], 1), ln2B: fill([C], 0),
      wfc: normal([C, 4 * C]), bfc: fill([4 * C], 0), wfc2: normal([4 * C, C], 0.02 / Math.sqrt(2 * L)), bfc2: fill([C], 0),
    })),
  };
  const params = [P.wte, P.wpe, P.lnfG, P.lnfB, P.head, ...P.layers.flatMap((l) => Object.values(l))]
    .reduce((n, v) => n + v.size, 0);
  // tf-core.min.js registers no chained methods (x.add(...)), so every op is called as tf.op(...).
  const layerNorm = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x) => tf.mul(tf.mul(x, 0.5),
    tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
  const causal = tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 1), 1e9);  // -1e9 above the diagonal
  const linear = (x, w, b) => tf.add(tf.matMul(x, w), b);
  const forward = (idx, targets) => {
    // The embedding as one-hot x table: the WASM backend cannot differentiate tf.gather.
    const emb = tf.matMul(tf.cast(tf.oneHot(tf.reshape(idx, [B * T]), V), 'float32'), P.wte);
    let x = tf.dropout(tf.add(tf.reshape(emb, [B, T, C]), P.wpe), p);
    for (const l of P.layers) {
      const h = tf.reshape(layerNorm(x, l.ln1G, l.ln1B), [B * T, C]);
      const qkv = tf.transpose(tf.reshape(linear(h, l.wqkv, l.bqkv), [B, T, 3, H, hs]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(qkv);
      const att = tf.dropout(tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), causal)), p);
      const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, C]);
      x = tf.add(x, tf.reshape(tf.dropout(linear(y, l.wproj, l.bproj), p), [B, T, C]));
      const m = tf.reshape(layerNorm(x, l.ln2G, l.ln2B), [B * T, C]);
      const f = linear(gelu(linear(m, l.wfc, l.bfc)), l.wfc2, l.bfc2);
      x = tf.add(x, tf.reshape(tf.dropout(f, p), [B, T, C]));
    }
    const logits = tf.matMul(tf.reshape(layerNorm(x, P.lnfG, P.lnfB), [B * T, C]), P.head);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [B * T]), V), logits);
  };
  const optimizer = tf.train.adam(1e-3, 0.9, 0.99, 1e-8);
  const batch = () => [tf.randomUniform([B, T], 0, V, 'int32'), tf.randomUniform([B, T], 0, V, 'int32')];
  const step = async () => {
    const [idx, targets] = batch();
    const loss = optimizer.minimize(() => forward(idx, targets), true);
    const value = (await loss.data())[0];
    tf.dispose([idx, targets, loss]);
    return value;
  };
  await step();  // warm-up: compiles, allocates
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = await step();
  const seconds = (performance.now() - t0) / 1000;
  return { tokensPerSecond: (steps * B * T) / seconds, params, steps, loss, version: tf.version_core };
};
