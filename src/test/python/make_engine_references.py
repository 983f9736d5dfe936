"""Reference values for the reference engine's parity tests.

Builds two small random target models with Hugging Face transformers, one per architecture the
engine implements (Llama with llama3 RoPE scaling and untied embeddings; Qwen3 with per-head
q_norm/k_norm and tied embeddings), saves them as float32 model directories, and records for a
fixed token sequence:

  hidden.<k>   [S, H]  the residual stream entering decoder layer k (k = 0..N-1), and for k = N the
                       output of the last layer before the final norm (vLLM's layer-id semantics)
  logits       [S, V]  the model's output logits
  input_ids    [S]

plus a greedy continuation of a prompt (transformers generate, no sampling) in reference.json.

Usage: python make_engine_references.py OUTPUT_DIR   (the tests read src/test/resources/engine)
"""

import json
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM

SEQUENCE = [1, 17, 42, 99, 5, 63, 120, 7, 88, 31, 76, 2, 54, 19, 101, 66]
PROMPT = [1, 23, 45, 67, 89]
NEW_TOKENS = 12
SEED_QWEN3 = 11


def llama():
    config = LlamaConfig(
        vocab_size=128, hidden_size=64, intermediate_size=160, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=256,
        rms_norm_eps=1e-5, initializer_range=0.2, tie_word_embeddings=False,
        rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                         "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 64},
        bos_token_id=1, eos_token_id=2, pad_token_id=0)
    return LlamaForCausalLM(config)


def qwen3():
    config = Qwen3Config(
        vocab_size=128, hidden_size=64, intermediate_size=96, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=1, head_dim=24, max_position_embeddings=256,
        rms_norm_eps=1e-6, initializer_range=0.2, tie_word_embeddings=True,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
        bos_token_id=1, eos_token_id=2, pad_token_id=0)
    return Qwen3ForCausalLM(config)


def capture(model, ids):
    """Hidden states in vLLM's numbering: inputs of every decoder layer, then the pre-norm output."""
    captured = {}
    layers = model.model.layers
    hooks = []
    for k, layer in enumerate(layers):
        hooks.append(layer.register_forward_pre_hook(
            lambda mod, args, kwargs, k=k: captured.__setitem__(
                k, (args[0] if args else kwargs["hidden_states"]).detach().clone()),
            with_kwargs=True))
    hooks.append(model.model.norm.register_forward_pre_hook(
        lambda mod, args: captured.__setitem__(len(layers), args[0].detach().clone())))
    with torch.no_grad():
        out = model(torch.tensor([ids]), use_cache=False)
    for h in hooks:
        h.remove()
    return {k: v[0] for k, v in captured.items()}, out.logits[0]


def greedy(model, prompt):
    with torch.no_grad():
        out = model.generate(torch.tensor([prompt]), max_new_tokens=NEW_TOKENS, do_sample=False,
                             eos_token_id=None, pad_token_id=0, use_cache=True)
        # the smallest gap between the best and second-best logit along the way: a tie would make
        # the expected tokens depend on rounding
        full = out[0].tolist()
        logits = model(out[:, :-1]).logits[0, len(prompt) - 1:]
    top = torch.topk(logits, 2, dim=-1).values
    return full[len(prompt):], float((top[:, 0] - top[:, 1]).min())


def main(root):
    for name, build, seed in (("llama", llama, 1234), ("qwen3", qwen3, SEED_QWEN3)):
        torch.manual_seed(seed)
        model = build().eval().to(torch.float32)
        with torch.no_grad():
            # norms initialise to ones; random weights make the tests see whether they are applied
            for pname, param in model.named_parameters():
                if "norm" in pname:
                    param.uniform_(0.5, 1.5)
        out = Path(root) / name
        out.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out, safe_serialization=True)
        hidden, logits = capture(model, SEQUENCE)
        tensors = {f"hidden.{k}": v.contiguous() for k, v in hidden.items()}
        tensors["logits"] = logits.contiguous()
        tensors["input_ids"] = torch.tensor(SEQUENCE, dtype=torch.int64)
        save_file(tensors, str(out / "reference.safetensors"))
        generated, margin = greedy(model, PROMPT)
        if margin < 1e-3:
            raise SystemExit(f"{name}: greedy decoding has a near tie (margin {margin}); change the seed")
        (out / "reference.json").write_text(json.dumps({
            "architecture": name,
            "transformers": __import__("transformers").__version__,
            "torch": torch.__version__,
            "sequence": SEQUENCE,
            "layers": len(model.model.layers),
            "prompt": PROMPT,
            "greedy": generated,
            "greedyMinLogitMargin": margin,
        }, indent=2) + "\n")
        print(name, "layers", len(model.model.layers), "greedy", generated, "margin", round(margin, 4))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/engine")
