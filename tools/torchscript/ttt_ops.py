"""Builds the TorchScript op library the Java trainer loads (src/main/resources/dev/speculators/train/ttt_ops.pt).

The trainer runs on DJL's PyTorch engine, whose Java API lacks scaled_dot_product_attention and
cannot hold a bfloat16 array (DJL's JNI aborts the JVM on that data type). A TorchScript archive
stores its methods as source that the *loading* libtorch compiles, so a small module scripted here
gives Java access to the fused attention kernels and to bf16 compute, with autograd intact.

Every method takes and returns float32 (and int64) tensors only: the bf16 methods cast their
inputs, compute in bf16 exactly where torch.autocast(bfloat16) would (matrix products and the
attention kernel) and return float32, so no bf16 tensor ever reaches Java. Weights stay float32
masters; the casts' backward hands float32 gradients back to them.

Run:  python tools/torchscript/ttt_ops.py src/main/resources/dev/speculators/train/ttt_ops.pt
(the archive's inner folder is named after the file, so keep the name ttt_ops.pt)
"""
import sys
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


class TttOps(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return x

    @torch.jit.export
    def swiglu(self, x: Tensor, gate: Tensor, up: Tensor, down: Tensor) -> Tensor:
        """down(silu(gate(x)) · up(x)) in float32. The fused silu keeps one [T, I] tensor less for
        the backward than silu composed of sigmoid and a product."""
        return F.linear(F.silu(F.linear(x, gate)) * F.linear(x, up), down)

    # ---- bf16 compute of the linear layers (float32 in, float32 out) --------------------------

    @torch.jit.export
    def linear_bf16(self, x: Tensor, w: Tensor) -> Tensor:
        """x [..., in] · wᵀ with bf16 operands and float32 accumulation; [..., out] float32."""
        return F.linear(x.to(torch.bfloat16), w.to(torch.bfloat16)).float()

    @torch.jit.export
    def projections_bf16(self, x: Tensor, wq: Tensor, wk: Tensor, wv: Tensor) -> List[Tensor]:
        """q, k, v projections of one input, cast to bf16 once (one bf16 copy kept for backward)."""
        xb = x.to(torch.bfloat16)
        return [F.linear(xb, wq.to(torch.bfloat16)).float(),
                F.linear(xb, wk.to(torch.bfloat16)).float(),
                F.linear(xb, wv.to(torch.bfloat16)).float()]

    @torch.jit.export
    def swiglu_bf16(self, x: Tensor, gate: Tensor, up: Tensor, down: Tensor) -> Tensor:
        """down(silu(gate(x)) · up(x)) with every intermediate in bf16; [T, H] float32."""
        xb = x.to(torch.bfloat16)
        act = F.silu(F.linear(xb, gate.to(torch.bfloat16))) * F.linear(xb, up.to(torch.bfloat16))
        return F.linear(act, down.to(torch.bfloat16)).float()

    # ---- training-time-test attention ----------------------------------------------------------

    @torch.jit.export
    def ttt_attention(self, q: Tensor, k0: Tensor, v0: Tensor, kx: Tensor, vx: Tensor,
                      docs: Tensor, pad_start: Tensor) -> Tensor:
        return self._ttt_attention(q, k0, v0, kx, vx, docs, pad_start, False)

    @torch.jit.export
    def ttt_attention_bf16(self, q: Tensor, k0: Tensor, v0: Tensor, kx: Tensor, vx: Tensor,
                           docs: Tensor, pad_start: Tensor) -> Tensor:
        return self._ttt_attention(q, k0, v0, kx, vx, docs, pad_start, True)

    def _ttt_attention(self, q: Tensor, k0: Tensor, v0: Tensor, kx: Tensor, vx: Tensor,
                       docs: Tensor, pad_start: Tensor, bf16: bool) -> Tensor:
        """Attention of one training-time-test step without a (k+1)T x T score matrix.

        q [nh, T, hd] queries of step k; k0, v0 [nkv, T, hd] step-0 keys/values; kx, vx [k, nkv, T, hd]
        keys/values of steps 1..k (only the diagonal entry j == i is visible to query i);
        docs [n, 2] int64 (start, end) of each packed document; positions >= pad_start are padding
        and see only their own keys. Returns [nh, T, hd] float32.

        Each document runs through one fused causal SDPA call. The diagonal keys of earlier steps are
        folded into that call as one extra "sink" key in front of the document, visible to every
        query, whose score for query i is log(sum_s exp(q_i . k_is * scale)) (an extra query
        coordinate against a constant key coordinate) and whose value is a one-hot extra channel.
        The kernel then returns the document part already weighted by the full softmax
        normaliser, and the extra channel gives the sink's total weight, which multiplies the
        softmax-weighted mix of the diagonal values. Everything is differentiable through the
        kernel's output; no log-sum-exp output of the kernel (which has no gradient) is used.

        With bf16, the kernel runs on bf16 copies of its operands (float32 accumulation inside, as
        torch.autocast runs SDPA); the diagonal scores, their log-sum-exp and softmax, and the
        merge stay float32. The sink score is split over two bf16 channels (a high part and the
        rounding remainder), which the kernel's float32 dot product adds back to ~16 bits.
        """
        nh = q.size(0)
        t = q.size(1)
        hd = q.size(2)
        nkv = k0.size(0)
        group = nh // nkv
        scale = 1.0 / (float(hd) ** 0.5)
        steps = kx.size(0)
        compute = torch.bfloat16 if bf16 else q.dtype
        k0r = k0.repeat_interleave(group, 0)
        v0r = v0.repeat_interleave(group, 0)
        out = torch.zeros_like(q)
        if steps == 0:
            qc = q.to(compute)
            kc = k0r.to(compute)
            vc = v0r.to(compute)
            for d in range(docs.size(0)):
                s = int(docs[d, 0])
                e = int(docs[d, 1])
                out[:, s:e] = F.scaled_dot_product_attention(
                    qc[:, s:e].unsqueeze(0), kc[:, s:e].unsqueeze(0), vc[:, s:e].unsqueeze(0),
                    None, 0.0, True, scale=scale).squeeze(0).float()
        else:
            kxr = kx.repeat_interleave(group, 1)  # [k, nh, T, hd]
            vxr = vx.repeat_interleave(group, 1)
            # scores of the diagonal keys: [k, nh, T]
            diag = (q.unsqueeze(0) * kxr).sum(-1) * scale
            diag_lse = torch.logsumexp(diag, 0)  # [nh, T]
            diag_w = torch.softmax(diag, 0)  # [k, nh, T]
            diag_v = (diag_w.unsqueeze(-1) * vxr).sum(0)  # [nh, T, hd]
            # the sink coordinates are padded with zeros to a multiple of 16 channels: extra zero
            # channels change no score and no output, and keep the kernel on its common path
            width = ((hd + 2 + 15) // 16) * 16
            sink = diag_lse / scale
            sink_hi = sink.to(compute).float()
            sink_lo = sink - sink_hi
            for d in range(docs.size(0)):
                s = int(docs[d, 0])
                e = int(docs[d, 1])
                n = e - s
                # row 0 is a dummy query that sees only the sink; the extra query channels carry
                # the sink score (divided by scale: the kernel multiplies it back)
                qd = q.new_zeros([nh, n + 1, width])
                qd[:, 1:, :hd] = q[:, s:e]
                qd[:, 1:, hd] = sink_hi[:, s:e]
                qd[:, 1:, hd + 1] = sink_lo[:, s:e]
                kd = q.new_zeros([nh, n + 1, width])
                kd[:, 0, hd] = 1.0
                kd[:, 0, hd + 1] = 1.0
                kd[:, 1:, :hd] = k0r[:, s:e]
                vd = q.new_zeros([nh, n + 1, width])
                vd[:, 0, hd] = 1.0
                vd[:, 1:, :hd] = v0r[:, s:e]
                o = F.scaled_dot_product_attention(
                    qd.to(compute).unsqueeze(0), kd.to(compute).unsqueeze(0),
                    vd.to(compute).unsqueeze(0), None, 0.0, True, scale=scale).squeeze(0)
                o = o[:, 1:].float()
                out[:, s:e] = o[..., :hd] + o[..., hd:hd + 1] * diag_v[:, s:e]
        p = int(pad_start)
        if p < t:
            # padding: softmax over its own keys of every step
            own = [(q[:, p:] * k0r[:, p:]).sum(-1) * scale]
            vals = [v0r[:, p:]]
            for i in range(steps):
                own.append((q[:, p:] * kx[i].repeat_interleave(group, 0)[:, p:]).sum(-1) * scale)
                vals.append(vx[i].repeat_interleave(group, 0)[:, p:])
            w = torch.softmax(torch.stack(own, 0), 0)
            out[:, p:] = (w.unsqueeze(-1) * torch.stack(vals, 0)).sum(0)
        return out


if __name__ == "__main__":
    m = torch.jit.script(TttOps())
    m.save(sys.argv[1])
    print("wrote", sys.argv[1])
