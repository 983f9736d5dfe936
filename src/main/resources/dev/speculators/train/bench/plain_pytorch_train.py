"""Plain-PyTorch baseline of the `bench` command: the training step of the Java trainer, in torch.

Same data (the speculators dataset the benchmark generated), same vocabulary mapping, same packed
rows of T tokens, same model (one EAGLE3 layer), same training-time test with the draft's own
tokens, same KL loss, clipping and AdamW: what a plain PyTorch training loop needs for the same
step, written the usual way (modules' ops called directly, autograd frees what backward does not
need, SDPA with an explicit mask for the TTT attention). `--precision bf16` runs the forward under
torch.autocast(bfloat16) with the loss in float32, as upstream speculators trains on GPUs.

Prints one line `RESULT {json}` with seconds per step, tokens/s and the process's peak RSS.
Needs only torch (safetensors files are read with a few lines below).
"""
import argparse
import json
import math
import os
import struct
import time

import torch
import torch.nn.functional as F


def read_safetensors(path):
    dtypes = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16,
              "I64": torch.int64, "BOOL": torch.bool}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[start:end]), dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"])
    return out


def status(field):
    """A /proc/self/status field in bytes, or -1."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def vocab_mapping(freq, draft_vocab, vocab):
    """Upstream's rule: most frequent ids (ties by id), filled with unused small ids, ascending."""
    ranked = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen = [t for t, _ in ranked[:draft_vocab]]
    taken = set(chosen)
    i = 0
    while len(chosen) < draft_vocab:
        if i not in taken:
            chosen.append(i)
        i += 1
    ids = torch.tensor(sorted(chosen), dtype=torch.long)
    return ids, ids - torch.arange(draft_vocab)


def rms_norm(x, w, eps):
    x = x.float()
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), -1) * sin


def ttt_mask(lengths, t, steps):
    """[T, steps*T] bool: query i sees its document's keys j <= i of step 0 and its own key of
    every later step; padding sees only its own keys."""
    doc = torch.full((t,), -1, dtype=torch.long)
    pos = 0
    for d, n in enumerate(lengths):
        doc[pos:pos + n] = d
        pos += n
    i = torch.arange(t)
    causal = (i[None, :] <= i[:, None]) & (doc[None, :] == doc[:, None]) & (doc[:, None] >= 0)
    causal |= torch.eye(t, dtype=torch.bool)
    diag = torch.eye(t, dtype=torch.bool)
    return torch.cat([causal] + [diag] * (steps - 1), 1)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--data", required=True)
    a.add_argument("--verifier", required=True)
    a.add_argument("--seq-len", type=int, required=True)
    a.add_argument("--ttt-steps", type=int, required=True)
    a.add_argument("--draft-vocab", type=int, required=True)
    a.add_argument("--warmup", type=int, default=1)
    a.add_argument("--steps", type=int, default=3)
    a.add_argument("--threads", type=int, default=0)
    a.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    a.add_argument("--noise-std", type=float, default=0.05)
    a.add_argument("--lr", type=float, default=1e-4)
    a.add_argument("--label", default="pytorch")
    a.add_argument("--device", default="auto", help="cpu, cuda or auto (cuda when available)")
    args = a.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    t_len, steps = args.seq_len, args.ttt_steps
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else "cpu" if args.device == "auto" else args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    with open(os.path.join(args.verifier, "config.json")) as f:
        cfg = json.load(f)
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim", h // nh)
    inter, eps = cfg["intermediate_size"], cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    verifier = {k: v.to(device) for k, v in
                read_safetensors(os.path.join(args.verifier, "model.safetensors")).items()}
    freq = torch.load(os.path.join(args.data, "token_freq.pt"))
    draft_ids, d2t = vocab_mapping(freq, args.draft_vocab, cfg["vocab_size"])
    draft_ids, d2t = draft_ids.to(device), d2t.to(device)
    torch.set_default_device(device)

    def linear(out_f, in_f):
        bound = 1 / math.sqrt(in_f)
        return torch.empty(out_f, in_f).uniform_(-bound, bound).requires_grad_()

    p = {
        "fc": linear(h, 3 * h),
        "q": linear(nh * hd, 2 * h), "k": linear(nkv * hd, 2 * h), "v": linear(nkv * hd, 2 * h),
        "o": linear(h, nh * hd),
        "gate": linear(inter, h), "up": linear(inter, h), "down": linear(h, inter),
        "in_norm": torch.ones(h, requires_grad=True),
        "hidden_norm": torch.ones(h, requires_grad=True),
        "post_norm": torch.ones(h, requires_grad=True),
        "norm": torch.ones(h, requires_grad=True),
        "lm_head": verifier["lm_head.weight"][draft_ids].float().requires_grad_(),
    }
    embed = verifier["model.embed_tokens.weight"].float()
    verifier_head = verifier["lm_head.weight"][draft_ids].float()
    verifier_norm = verifier["model.norm.weight"].float()
    del verifier
    params = list(p.values())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))

    data_dir = os.path.join(args.data, "data")
    files = sorted((f for f in os.listdir(data_dir) if f.startswith("data_") and f.endswith(".pt")),
                   key=lambda f: int(f[5:-3]))

    def rows():
        """Consecutive samples packed into rows of exactly T tokens (after the per-sample shift)."""
        batch = []
        used = 0
        for name in files:
            s = torch.load(os.path.join(data_dir, name), map_location=device)
            n = s["input_ids"].numel() - 1
            if used + n > t_len and batch:
                yield pack(batch)
                batch, used = [], 0
            batch.append(s)
            used += n
        if batch:
            yield pack(batch)

    def pack(samples):
        ids, aux, last, mask, pos, lengths = [], [], [], [], [], []
        for s in samples:
            hs = s["hidden_states"]
            ids.append(s["input_ids"][1:])
            aux.append(torch.cat([x.float() for x in hs[:-1]], -1)[:-1])
            last.append(hs[-1][1:].float())
            mask.append(s["loss_mask"][1:])
            lengths.append(ids[-1].numel())
            pos.append(torch.arange(1, lengths[-1] + 1))

        def fit(parts, fill_shape, dtype):
            x = torch.cat(parts)[:t_len]
            pad = t_len - x.shape[0]
            return torch.cat([x, torch.zeros((pad,) + fill_shape, dtype=dtype)]) if pad else x

        total = sum(lengths)
        if total > t_len:
            lengths[-1] -= total - t_len
        aux_t = fit(aux, (aux[0].shape[1],), torch.float32)
        aux_t += torch.empty_like(aux_t).uniform_(-args.noise_std, args.noise_std)
        return (fit(ids, (), torch.long), aux_t, fit(last, (h,), torch.float32),
                fit(mask, (), torch.long), fit(pos, (), torch.long), lengths)

    def step(row):
        ids, aux, last, mask, pos, lengths = row
        maskf = mask.float()
        autocast = torch.autocast(device.type, dtype=torch.bfloat16,
                                  enabled=args.precision == "bf16")
        with autocast:
            with torch.no_grad():
                targets = F.linear(rms_norm(last, verifier_norm, eps), verifier_head)
                target_p = torch.softmax(targets.float(), -1)
                target_logp = torch.log_softmax(targets.float(), -1)
                del targets
            hidden = F.linear(aux, p["fc"])
            keys, values = [], []
            total = 0.0
            for k in range(steps):
                freqs = pos.float()[:, None] * inv_freq[None, :]
                emb = torch.cat((freqs, freqs), -1)
                cos, sin = emb.cos(), emb.sin()
                hidden_normed = rms_norm(hidden, p["hidden_norm"], eps)
                x = torch.cat((rms_norm(F.embedding(ids, embed), p["in_norm"], eps), hidden_normed), -1)
                q = F.linear(x, p["q"]).view(t_len, nh, hd).transpose(0, 1)
                kk = F.linear(x, p["k"]).view(t_len, nkv, hd).transpose(0, 1)
                vv = F.linear(x, p["v"]).view(t_len, nkv, hd).transpose(0, 1)
                keys.append(rotate(kk, cos, sin))
                values.append(vv)
                attn = F.scaled_dot_product_attention(
                    rotate(q, cos, sin)[None], torch.cat(keys, 1)[None], torch.cat(values, 1)[None],
                    attn_mask=ttt_mask(lengths, t_len, k + 1), enable_gqa=nh != nkv)[0]
                out = hidden_normed + F.linear(attn.transpose(0, 1).reshape(t_len, nh * hd), p["o"])
                y = rms_norm(out, p["post_norm"], eps)
                hidden = out + F.linear(F.silu(F.linear(y, p["gate"])) * F.linear(y, p["up"]), p["down"])
                logits = F.linear(rms_norm(hidden, p["norm"], eps), p["lm_head"])
                n = t_len - k
                logq = torch.log_softmax(logits[:n].float(), -1)
                kl = (target_p[k:] * (target_logp[k:] - logq)).sum(-1)
                m = maskf[k:]
                total = total + (kl * m).sum() / (m.sum() + 1e-5)
                if k + 1 < steps:
                    draft = logits.argmax(-1)
                    ids = draft + d2t[draft]
                    pos = pos + 1
        opt.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return float(total)

    seconds, loss, done = 0.0, float("nan"), 0
    need = args.warmup + args.steps
    while done < need:
        for row in rows():
            start = time.perf_counter()
            loss = step(row)
            if device.type == "cuda":
                torch.cuda.synchronize()
            if done >= args.warmup:
                seconds += time.perf_counter() - start
            done += 1
            if done >= need:
                break
    per_step = seconds / args.steps
    print("RESULT " + json.dumps({
        "label": args.label, "tokensPerSecond": t_len / per_step, "secondsPerStep": per_step,
        "peakRssBytes": status("VmHWM"), "loss": loss, "torch": torch.__version__,
        "device": str(device),
        "gpuPeakBytes": torch.cuda.max_memory_allocated() if device.type == "cuda" else None,
        "memory": {"rss": status("VmRSS"), "rssAnon": status("RssAnon"),
                   "rssFile": status("RssFile")}}), flush=True)


if __name__ == "__main__":
    main()
