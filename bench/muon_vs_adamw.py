#!/usr/bin/python3
"""Muon against AdamW for the lab recipe model (2 layers, n_embd 64, batch 16 x 64, tiny Shakespeare
characters), in PyTorch on one thread, at a fixed number of steps (the steps the lab reaches in 5 minutes).
The model is tools/make_pytorch_fixtures.py's GPT (gptlab's structure). Run by hand, e.g.
  /usr/bin/python3 bench/muon_vs_adamw.py opt=adamw
  /usr/bin/python3 bench/muon_vs_adamw.py opt=muon style=moon   (Muon with AdamW's lr and decay, update * 0.2 sqrt(max dim))
  /usr/bin/python3 bench/muon_vs_adamw.py opt=muon mlr=0.005     (Keller Jordan's scaling, its own lr)
Prints the validation loss over the whole last 10% of the text. Needs ../shared/data/tinyshakespeare.txt.
"""
import os, sys, math, time, json
os.environ["OMP_NUM_THREADS"]="1"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import torch, torch.nn.functional as F
from make_pytorch_fixtures import GPT, lr_at
torch.set_num_threads(1)
args = dict(a.split("=") for a in sys.argv[1:])
opt_kind = args.get("opt", "adamw"); steps = int(args.get("steps", 5738)); B = int(args.get("batch", 16)); T = 64
lr = float(args.get("lr", 5e-3)); mlr = float(args.get("mlr", 0.02)); wd = float(args.get("wd", 0.3)); mwd = float(args.get("mwd", 0.0))
L = int(args.get("layers", 2)); C = int(args.get("embd", 64)); mom = float(args.get("mom", 0.95)); nsteps = int(args.get("ns", 5))
text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "tinyshakespeare.txt")).read()
chars = sorted(set(text)); idx = {c: i for i, c in enumerate(chars)}
data = torch.tensor([idx[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data)); train, val = data[:n], data[n:]
V = len(chars)
cfg = {"vocab_size": V, "block_size": T, "n_layer": L, "n_head": 4, "n_embd": C, "ffn_multiple_of": 256,
       "rope_base": 10000.0, "positions": "rope", "ffn": "gelu", "norm": "layernorm", "attention": "causal",
       "tie_weights": False, "dropout": 0.0, "init": "nanogpt"}
torch.manual_seed(1337)
model = GPT(cfg)
def ns5(G):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G
    tr = G.size(0) > G.size(1)
    if tr: X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(nsteps):
        A = X @ X.T
        Bm = b * A + c * (A @ A)
        X = a * X + Bm @ X
    return X.T if tr else X
hidden = [p for n_, p in model.named_parameters() if p.dim() >= 2 and ".h." in n_]
others_decay = [p for n_, p in model.named_parameters() if p.dim() >= 2 and ".h." not in n_]
nodecay = [p for p in model.parameters() if p.dim() < 2]
if opt_kind == "adamw":
    groups = [{"params": hidden + others_decay, "weight_decay": wd}, {"params": nodecay, "weight_decay": 0.0}]
else:
    groups = [{"params": others_decay, "weight_decay": wd}, {"params": nodecay, "weight_decay": 0.0}]
adam = torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.99), eps=1e-8)
bufs = {id(p): torch.zeros_like(p) for p in hidden}
sched = {"max_lr": 1.0, "min_lr": 0.0, "warmup": 50, "total": steps}
g = torch.Generator().manual_seed(1)
def batch(src, bs):
    ix = torch.randint(0, len(src) - T - 1, (bs,), generator=g)
    return torch.stack([src[i:i+T] for i in ix]), torch.stack([src[i+1:i+T+1] for i in ix])
no_pad = torch.zeros(B, T, dtype=torch.uint8)
t0 = time.time()
for step in range(steps):
    x, y = batch(train, B)
    loss = F.cross_entropy(model(x, no_pad).view(-1, V), y.view(-1))
    adam.zero_grad(set_to_none=True)
    for p in hidden: p.grad = None
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    f = lr_at(step, sched)
    for gr in adam.param_groups: gr["lr"] = lr * f
    adam.step()
    if opt_kind == "muon":
        with torch.no_grad():
            for p in hidden:
                buf = bufs[id(p)]; buf.mul_(mom).add_(p.grad)
                u = ns5(p.grad + mom * buf)
                if args.get("style") == "moon":
                    scale = 0.2 * max(p.size(0), p.size(1)) ** 0.5
                    p.mul_(1 - lr * f * wd)
                    p.add_(u, alpha=-lr * f * scale)
                else:
                    scale = max(1.0, p.size(0) / p.size(1)) ** 0.5
                    p.mul_(1 - mlr * f * mwd)
                    p.add_(u, alpha=-mlr * f * scale)
    if step % 1000 == 0: print(step, round(loss.item(), 3), round(time.time() - t0), flush=True)
model.eval()
with torch.no_grad():
    tot, cnt = 0.0, 0
    vb = 32; nb = 0
    for s in range(0, len(val) - T - 1, T * vb):
        xs = [val[i:i+T] for i in range(s, min(s + T * vb, len(val) - T - 1), T)]
        ys = [val[i+1:i+T+1] for i in range(s, min(s + T * vb, len(val) - T - 1), T)]
        X, Y = torch.stack(xs), torch.stack(ys)
        l = F.cross_entropy(model(X, torch.zeros(X.shape, dtype=torch.uint8)).view(-1, V), Y.view(-1), reduction="sum")
        tot += l.item(); cnt += Y.numel()
print("RESULT", json.dumps(args), "val", round(tot / cnt, 4), "time", round(time.time() - t0))
