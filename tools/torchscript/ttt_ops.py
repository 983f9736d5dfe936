"""Builds the TorchScript op library the Java trainer loads (src/main/resources/dev/speculators/train/ttt_ops.pt).

The trainer runs on DJL's PyTorch engine, whose Java API lacks scaled_dot_product_attention. A
TorchScript archive stores its methods as source that the *loading* libtorch compiles, so a small
module scripted here gives Java access to the fused attention kernels with autograd intact.

Run:  python tools/torchscript/ttt_ops.py OUTPUT.pt
"""
import sys
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor


class TttOps(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return x

    @torch.jit.export
    def ttt_attention(self, q: Tensor, k0: Tensor, v0: Tensor, kx: Tensor, vx: Tensor,
                      docs: Tensor, pad_start: Tensor) -> Tensor:
        """Attention of one training-time-test step without a (k+1)T x T score matrix.

        q [nh, T, hd] queries of step k; k0, v0 [nkv, T, hd] step-0 keys/values; kx, vx [k, nkv, T, hd]
        keys/values of steps 1..k (only the diagonal entry j == i is visible to query i);
        docs [n, 2] int64 (start, end) of each packed document; positions >= pad_start are padding
        and see only their own keys. Returns [nh, T, hd].

        Each document runs through one fused causal SDPA call. The diagonal keys of earlier steps are
        folded into that call as one extra "sink" key in front of the document, visible to every
        query, whose score for query i is log(sum_s exp(q_i . k_is * scale)) (an extra query
        coordinate against a constant key coordinate) and whose value is a one-hot extra channel.
        The kernel then returns the document part already weighted by the full softmax
        normaliser, and the extra channel gives the sink's total weight, which multiplies the
        softmax-weighted mix of the diagonal values. Everything is differentiable through the
        kernel's output; no log-sum-exp output of the kernel (which has no gradient) is used.
        """
        nh = q.size(0)
        t = q.size(1)
        hd = q.size(2)
        nkv = k0.size(0)
        group = nh // nkv
        scale = 1.0 / (float(hd) ** 0.5)
        steps = kx.size(0)
        k0r = k0.repeat_interleave(group, 0)
        v0r = v0.repeat_interleave(group, 0)
        out = torch.zeros_like(q)
        if steps == 0:
            for d in range(docs.size(0)):
                s = int(docs[d, 0])
                e = int(docs[d, 1])
                out[:, s:e] = F.scaled_dot_product_attention(
                    q[:, s:e].unsqueeze(0), k0r[:, s:e].unsqueeze(0), v0r[:, s:e].unsqueeze(0),
                    None, 0.0, True, scale=scale).squeeze(0)
        else:
            kxr = kx.repeat_interleave(group, 1)  # [k, nh, T, hd]
            vxr = vx.repeat_interleave(group, 1)
            # scores of the diagonal keys: [k, nh, T]
            diag = (q.unsqueeze(0) * kxr).sum(-1) * scale
            diag_lse = torch.logsumexp(diag, 0)  # [nh, T]
            diag_w = torch.softmax(diag, 0)  # [k, nh, T]
            diag_v = (diag_w.unsqueeze(-1) * vxr).sum(0)  # [nh, T, hd]
            # the sink coordinate is padded with zeros to a multiple of 16 channels: extra zero
            # channels change no score and no output, and keep the kernel on its common path
            width = ((hd + 1 + 15) // 16) * 16
            for d in range(docs.size(0)):
                s = int(docs[d, 0])
                e = int(docs[d, 1])
                n = e - s
                # row 0 is a dummy query that sees only the sink; the extra query channel carries
                # the sink score (divided by scale: the kernel multiplies it back)
                qd = q.new_zeros([nh, n + 1, width])
                qd[:, 1:, :hd] = q[:, s:e]
                qd[:, 1:, hd] = diag_lse[:, s:e] / scale
                kd = q.new_zeros([nh, n + 1, width])
                kd[:, 0, hd] = 1.0
                kd[:, 1:, :hd] = k0r[:, s:e]
                vd = q.new_zeros([nh, n + 1, width])
                vd[:, 0, hd] = 1.0
                vd[:, 1:, :hd] = v0r[:, s:e]
                o = F.scaled_dot_product_attention(
                    qd.unsqueeze(0), kd.unsqueeze(0), vd.unsqueeze(0), None, 0.0, True, scale=scale).squeeze(0)
                o = o[:, 1:]
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
