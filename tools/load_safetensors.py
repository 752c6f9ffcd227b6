#!/usr/bin/python3
"""Loads gptlab's safetensors export into the equivalent PyTorch module and checks
that it reproduces gptlab's logits (run by hand; needs Debian's python3-torch).

    build/gptlab export --checkpoint run.ckpt --out model.safetensors --logits-out check.json
    /usr/bin/python3 tools/load_safetensors.py model.safetensors check.json

The module is tools/make_pytorch_fixtures.py's GPT (nanoGPT's names: transformer.wte,
transformer.h.N.attn.c_attn, ..., lm_head); the file is read without the safetensors
package: 8 bytes of header length, the JSON header, then the raw tensors.
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_pytorch_fixtures import GPT  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.float32).reshape(info["shape"])
    return tensors, meta


def main(weights_path, check_path):
    tensors, meta = read_safetensors(weights_path)
    cfg = json.loads(meta["gptlab_config"])
    model = GPT(cfg)
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [m for m in missing if not (cfg["tie_weights"] and m == "lm_head.weight")]
    if missing or unexpected:
        sys.exit(f"names differ: missing {missing}, unexpected {unexpected}")
    model.eval()
    check = json.load(open(check_path))
    tokens = torch.tensor([check["tokens"]])
    with torch.no_grad():
        logits = model(tokens, torch.zeros_like(tokens, dtype=torch.uint8))
    ours = torch.tensor(check["logits"]).reshape(logits.shape)
    diff = (logits - ours).abs().max().item()
    print(f"PyTorch {torch.__version__}: {sum(t.numel() for t in tensors.values())} weights loaded; "
          f"max |logit difference| to gptlab = {diff:.2e}")
    sys.exit(0 if diff < 1e-3 else 1)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
