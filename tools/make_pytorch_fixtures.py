#!/usr/bin/python3
"""Writes the PyTorch parity fixtures into tests/fixtures/ (run by hand).

An independent PyTorch implementation of gptlab's GPT (nanoGPT's structure with
gptlab's options) computes, for three tiny configurations, the logits, the loss and
every gradient for one batch, then the parameters and losses after 3 AdamW steps
with warmup + cosine learning rate, gradient clipping and nanoGPT's weight-decay
groups (or, with "decay" in the optimizer settings, every tensor or none). The third
configuration switches parts off: no positions, no FFN, no norm, no residual. tests/core/test_pytorch_parity.cpp loads the same weights into gptlab and
compares. Dropout is 0 (the two libraries draw different random numbers).

Needs Debian's python3-torch (apt-get install python3-torch); tested with
PyTorch 1.13.1 (Debian 12). Usage:  /usr/bin/python3 tools/make_pytorch_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


class RMSNorm(nn.Module):
    def __init__(self, c, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def norm(cfg):
    if cfg["norm"] == "none":
        return nn.Identity()
    return nn.LayerNorm(cfg["n_embd"], eps=1e-5) if cfg["norm"] == "layernorm" else RMSNorm(cfg["n_embd"])


def ffn_hidden(cfg):
    c = cfg["n_embd"]
    if cfg["ffn"] == "gelu":
        return 4 * c
    h = 2 * (4 * c) // 3
    m = cfg["ffn_multiple_of"]
    return m * ((h + m - 1) // m)


def rope_tables(cfg):
    hs = cfg["n_embd"] // cfg["n_head"]
    t = torch.arange(cfg["block_size"], dtype=torch.float64)[:, None]
    i = torch.arange(hs // 2, dtype=torch.float64)[None, :]
    angle = t * cfg["rope_base"] ** (-2.0 * i / hs)
    return torch.cos(angle).float(), torch.sin(angle).float()


def rope(x, cos, sin):
    # rotate-half: the pair (x_i, x_{i+hs/2}) turns by the angle of position t
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, f = cfg["n_embd"], ffn_hidden(cfg)
        self.cfg = cfg
        self.ln_1 = norm(cfg)
        if cfg["ffn"] != "none":  # no FFN: the block is its attention half (registered here: the init order)
            self.ln_2 = norm(cfg)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(c, 3 * c)
        self.attn.c_proj = nn.Linear(c, c)
        if cfg["ffn"] != "none":
            self.mlp = nn.Module()
            self.mlp.c_fc = nn.Linear(c, 2 * f if cfg["ffn"] == "swiglu" else f)
            self.mlp.c_proj = nn.Linear(f, c)
        self.drop = nn.Dropout(cfg.get("dropout", 0.0))  # nanoGPT's placements; 0 in the fixtures

    def attention(self, x, key_pad, cos, sin):
        b, t, c = x.shape
        nh = self.cfg["n_head"]
        q, k, v = self.attn.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, nh, c // nh).transpose(1, 2) for z in (q, k, v))
        if cos is not None:
            q, k = rope(q, cos[:t], sin[:t]), rope(k, cos[:t], sin[:t])
        s = q @ k.transpose(-2, -1) / math.sqrt(c // nh)
        mask = key_pad[:, None, None, :].bool().expand(b, nh, t, t)
        if self.cfg["attention"] == "causal":
            mask = mask | torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        p = self.drop(F.softmax(s.masked_fill(mask, float("-inf")), dim=-1))
        y = (p @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.drop(self.attn.c_proj(y))

    def forward(self, x, key_pad, cos, sin):
        residual = self.cfg.get("residual", True)  # false: each half replaces x
        a = self.attention(self.ln_1(x), key_pad, cos, sin)
        x = x + a if residual else a
        if self.cfg["ffn"] == "none":
            return x
        h = self.mlp.c_fc(self.ln_2(x))
        if self.cfg["ffn"] == "gelu":
            h = F.gelu(h, approximate="tanh")
        else:
            g, u = h.chunk(2, dim=-1)
            h = F.silu(g) * u
        m = self.drop(self.mlp.c_proj(h))
        return x + m if residual else m


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.Module()
        self.transformer.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        if cfg["positions"] == "learned":
            self.transformer.wpe = nn.Embedding(cfg["block_size"], cfg["n_embd"])
        self.transformer.h = nn.ModuleList(Block(cfg) for _ in range(cfg["n_layer"]))
        self.transformer.ln_f = norm(cfg)
        self.lm_head = nn.Linear(cfg["n_embd"], cfg["vocab_size"], bias=False)
        if cfg["tie_weights"]:
            self.lm_head.weight = self.transformer.wte.weight
        for name, p in self.named_parameters():
            if cfg.get("init") == "nanogpt":  # as gptlab initializes (gpt.cpp)
                if name.endswith("bias"):
                    nn.init.zeros_(p)
                elif "ln_" in name:
                    nn.init.ones_(p)
                else:
                    std = 0.02 / math.sqrt(2 * cfg["n_layer"]) if name.endswith("c_proj.weight") else 0.02
                    nn.init.normal_(p, std=std)
            elif name.endswith("bias") or "ln_" in name:  # fixtures: random, away from the initial symmetries
                nn.init.normal_(p, mean=1.0 if name.endswith("weight") else 0.0, std=0.1)
            else:
                nn.init.normal_(p, std=0.3)
        self.cos, self.sin = rope_tables(cfg) if cfg["positions"] == "rope" else (None, None)
        self.drop = nn.Dropout(cfg.get("dropout", 0.0))

    def forward(self, tokens, key_pad):
        x = self.transformer.wte(tokens)
        if self.cfg["positions"] == "learned":
            x = x + self.transformer.wpe(torch.arange(tokens.shape[1]))
        x = self.drop(x)
        for block in self.transformer.h:
            x = block(x, key_pad, self.cos, self.sin)
        return self.lm_head(self.transformer.ln_f(x))


def lr_at(step, s):  # gptlab's warmup + cosine (schedule.h)
    if step < s["warmup"]:
        return s["max_lr"] * (step + 1) / s["warmup"]
    if step >= s["total"]:
        return s["min_lr"]
    r = (step - s["warmup"]) / (s["total"] - s["warmup"])
    return s["min_lr"] + (s["max_lr"] - s["min_lr"]) * 0.5 * (1 + math.cos(math.pi * r))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def ns5(g):  # Muon's Newton-Schulz orthogonalization (gptlab's train/muon.h), in float32 as gptlab
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.T if g.size(0) > g.size(1) else g
    x = x / (x.norm() + 1e-7)
    for _ in range(5):
        A = x @ x.T
        x = a * x + (b * A + c * (A @ A)) @ x
    return x.T if g.size(0) > g.size(1) else x


def fixture(cfg, seed, decay="matrices", optimizer="adamw"):
    torch.manual_seed(seed)
    model = GPT(cfg)
    b, t, v = 2, cfg["block_size"], cfg["vocab_size"]
    tokens = torch.randint(0, v, (b, t))
    targets = torch.randint(0, v, (b, t))
    key_pad = torch.zeros(b, t, dtype=torch.uint8)
    key_pad[1, t - 2:] = 1  # the second sequence ends in two padding positions ...
    targets[1, t - 2:] = -100  # ... which have no targets
    targets[0, 1] = -100
    params0 = {n: flat(p) for n, p in model.named_parameters()}

    logits = model(tokens, key_pad)
    loss = F.cross_entropy(logits.view(-1, v), targets.view(-1), ignore_index=-100)
    loss.backward()
    grads = {n: flat(p.grad) for n, p in model.named_parameters()}

    opt_cfg = {"beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.1, "clip": 1.0,
               "schedule": {"max_lr": 1e-2, "min_lr": 1e-4, "warmup": 2, "total": 10}}
    if decay != "matrices":  # gptlab's Decay: none, all, matrices (nanoGPT's rule, the default)
        opt_cfg["decay"] = decay
    decays = {"none": lambda p: False, "all": lambda p: True, "matrices": lambda p: p.dim() >= 2}[decay]
    if optimizer != "adamw":
        opt_cfg["optimizer"] = optimizer
        opt_cfg["momentum"] = 0.95
    # Muon (Moonlight's scaling: AdamW's lr and decay) takes the blocks' matrices; AdamW the rest.
    muon = [p for n, p in model.named_parameters() if optimizer == "muon" and p.dim() == 2 and
            n.startswith("transformer.h.")]
    buffers = [torch.zeros_like(p) for p in muon]
    decayed = [p for p in model.parameters() if decays(p) and all(p is not q for q in muon)]
    kept = [p for p in model.parameters() if not decays(p)]
    opt = torch.optim.AdamW([{"params": decayed, "weight_decay": opt_cfg["weight_decay"]},
                             {"params": kept, "weight_decay": 0.0}],
                            lr=1.0, betas=(opt_cfg["beta1"], opt_cfg["beta2"]), eps=opt_cfg["eps"])
    losses, norms = [], []
    for step in range(3):
        model.zero_grad()  # the Muon matrices are not in opt
        logits_s = model(tokens, key_pad)
        loss_s = F.cross_entropy(logits_s.view(-1, v), targets.view(-1), ignore_index=-100)
        loss_s.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), opt_cfg["clip"])))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, opt_cfg["schedule"])
        opt.step()
        with torch.no_grad():
            for p, buf in zip(muon, buffers):
                lr = lr_at(step, opt_cfg["schedule"])
                buf.mul_(opt_cfg["momentum"]).add_(p.grad)
                u = ns5(p.grad + opt_cfg["momentum"] * buf)
                p.mul_(1 - lr * (opt_cfg["weight_decay"] if decays(p) else 0.0))
                p.add_(u, alpha=-lr * 0.2 * max(p.size(0), p.size(1)) ** 0.5)
        losses.append(float(loss_s))
    return {
        "torch_version": torch.__version__,
        "config": cfg,
        "B": b, "T": t,
        "tokens": tokens.reshape(-1).tolist(),
        "targets": targets.reshape(-1).tolist(),
        "key_pad": key_pad.reshape(-1).tolist(),
        "params": params0,
        "logits": flat(logits),
        "loss": float(loss),
        "grads": grads,
        "adamw": dict(opt_cfg, losses=losses, grad_norms=norms,
                      params_after={n: flat(p) for n, p in model.named_parameters()}),
    }


BASE = {"vocab_size": 11, "block_size": 6, "n_layer": 2, "n_head": 2, "n_embd": 12, "ffn_multiple_of": 8,
        "rope_base": 10000.0}
CONFIGS = {
    "gpt_rope_gelu_layernorm_causal": dict(BASE, positions="rope", ffn="gelu", norm="layernorm",
                                           attention="causal", tie_weights=False),
    "gpt_learned_swiglu_rmsnorm_bidirectional_tied": dict(BASE, positions="learned", ffn="swiglu", norm="rmsnorm",
                                                          attention="bidirectional", tie_weights=True),
    "gpt_no_positions_ffn_norm_residual_decay_all": dict(BASE, positions="none", ffn="none", norm="none",
                                                         residual=False, attention="causal", tie_weights=False),
}
CONFIGS["gpt_rope_gelu_layernorm_causal_muon"] = CONFIGS["gpt_rope_gelu_layernorm_causal"]
DECAY = {"gpt_no_positions_ffn_norm_residual_decay_all": "all"}
OPTIMIZER = {"gpt_rope_gelu_layernorm_causal_muon": "muon"}

if __name__ == "__main__":
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    for i, (name, cfg) in enumerate(CONFIGS.items()):
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(fixture(cfg, seed=1234 + i, decay=DECAY.get(name, "matrices"),
                              optimizer=OPTIMIZER.get(name, "adamw")), f)
        print("wrote", name)
