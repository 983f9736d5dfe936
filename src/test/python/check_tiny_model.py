"""Reads the tiny example target with Hugging Face transformers, to show it is an ordinary model
directory: tokenizer, chat template and weights load, and the outputs can be compared with the
reference engine's.

Usage: python check_tiny_model.py MODEL_DIR MESSAGES_JSON
Prints JSON: the chat-template rendering (text and token ids, generation prompt added), the
float32 logits at the last position and a greedy continuation of 16 tokens (stopping at EOS).
"""

import json
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def main(model_dir, messages_json):
    messages = json.loads(messages_json)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, -1]
        out = model.generate(torch.tensor([ids]), max_new_tokens=16, do_sample=False,
                             eos_token_id=model.generation_config.eos_token_id,
                             pad_token_id=tokenizer.pad_token_id)
    print(json.dumps({
        "text": text,
        "ids": ids,
        "lastLogits": [float(x) for x in logits],
        "greedy": out[0, len(ids):].tolist(),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
