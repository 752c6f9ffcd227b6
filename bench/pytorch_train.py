#!/usr/bin/python3
"""PyTorch peer for build/bench_train: the same model (tools/make_pytorch_fixtures.py's
GPT, the same structure as gptlab's), config, batch and optimizer, on one thread (or argv[2] threads: PyTorch's intra-op threads).
Prints tokens/s and peak memory in the same format. Needs Debian's python3-torch
and libopenblas0-pthread. Run by bench/train-vs-pytorch.sh.
"""
import os
import resource
import sys
import time

threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
os.environ.setdefault("OMP_NUM_THREADS", str(threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_pytorch_fixtures import GPT, lr_at  # noqa: E402

torch.set_num_threads(threads)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 60
cfg = {"vocab_size": 65, "block_size": 64, "n_layer": 4, "n_head": 4, "n_embd": 128, "ffn_multiple_of": 256,
       "rope_base": 10000.0, "positions": "rope", "ffn": "gelu", "norm": "layernorm", "attention": "causal",
       "tie_weights": False, "dropout": 0.1, "init": "nanogpt"}
B, T = 32, 64
torch.manual_seed(1337)
model = GPT(cfg)
model.train()
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
schedule = {"max_lr": 1e-3, "min_lr": 1e-5, "warmup": 100, "total": 3000}
no_pad = torch.zeros(B, T, dtype=torch.uint8)
seconds, warmup = 0.0, 5
for step in range(warmup + steps):
    x, y = torch.randint(0, 65, (B, T)), torch.randint(0, 65, (B, T))
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x, no_pad).view(-1, 65), y.view(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for g in opt.param_groups:
        g["lr"] = lr_at(step, schedule)
    opt.step()
    if step >= warmup:
        seconds += time.perf_counter() - t0
params = sum(p.numel() for p in model.parameters())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"PyTorch {torch.__version__} ({torch.get_num_threads()} thread{'s' if threads > 1 else ''}): {params} parameters, {steps} steps of {B * T} "
      f"tokens: {steps * B * T / seconds:.0f} tokens/s ({1e3 * seconds / steps:.2f} ms/step), peak RSS {rss:.1f} MB, "
      f"last loss {loss.item():.3f}")
