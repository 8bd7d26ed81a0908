"""Writes the BPE test fixtures with Hugging Face `tokenizers` (run from the repository root):

    bench/.venv/bin/python Tests/ModelTests/Fixtures/BPE/make_fixtures.py

- gpt2-digits/: Digits(individual) + ByteLevel(GPT-2 regex), as SmolLM2; merges spelled "a b".
- llama3/: Split(Llama 3 regex, Isolated) + ByteLevel(use_regex=False), ignore_merges; merges spelled
  ["a", "b"]; a special and a non-special added token; tokenizer_config.json naming bos/eos/pad.
- expected.json: for each fixture, texts with the ids `tokenizers` gives (add_special_tokens=False).
"""
import json
import os

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
          r"|\s*[\r\n]+|\s+(?!\S)|\s+")
CORPUS = [
    "The quick brown fox jumps over the lazy dog. It's 12:45 and we're done, aren't we?",
    "Hello world! Hello there, hello again. The theory of the thing is that they think.",
    "def tokenize(text):\n    return [token for token in text.split()]\n",
    "Numbers: 1234567890, 3.14159, 2024-12-04, 1,000,000 and 42.",
    "Café naïve résumé — «quoted» “text” ‘here’ … 日本語のテキスト 中文 한국어 привет мир",
    "Emoji 🦙🦙 👩‍👩‍👧 and symbols € £ ∑ → ≠ ©",
    "    indented\n\tline\r\nwindows line\n\n\nblank lines   trailing   ",
    "I'LL SHOUT: DON'T STOP! she'd they've I'm you'll",
] * 40

TEXTS = [
    "", " ", "  ", "\n", "\t\t", "Hello world", "hello  world", " leading space", "trailing space ",
    "It's DON'T I'LL we're they've", "1234567 + 89 = 1234656", "3.14159 2024-12-04",
    "Café naïve résumé", "日本語のテキスト", "привет мир", "🦙👩‍👩‍👧", "a\u0301 combining",
    "tabs\tand\nnewlines\r\nCRLF", "   \n\n   x", "!!!???...", "def f(x):\n    return x\n",
    "<|endoftext|>", "before<|endoftext|>after", "<|im_start|>user\nhi<|im_end|>", "use <tool> here<tool>",
    "<|im_", "\u00a0nbsp\u3000ideographic", "x" * 300, "ſtate 'S 'ſ", "ＡＢＣ１２３",
    "mixed123abc456", "The theory of the thing", "   ", "end.\n",
]


def train(pre_tokenizer, merges_budget, special, extra):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=256 + len(special) + merges_budget, special_tokens=special,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    if extra:
        tok.add_tokens(extra)
    return tok


def main():
    gpt2 = train(pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                          pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]),
                 300, ["<|endoftext|>"], [])
    llama3 = train(pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated"),
                                            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
                   300, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                   [AddedToken("<tool>", special=False, normalized=False)])
    expected = {}
    for name, tok, merge_strings, ignore_merges in [("gpt2-digits", gpt2, True, False), ("llama3", llama3, False, True)]:
        spec = json.loads(tok.to_str())
        if merge_strings:
            spec["model"]["merges"] = [" ".join(pair) for pair in spec["model"]["merges"]]
        spec["model"]["ignore_merges"] = ignore_merges
        text = json.dumps(spec, ensure_ascii=False, indent=1)
        os.makedirs(os.path.join(HERE, name), exist_ok=True)
        with open(os.path.join(HERE, name, "tokenizer.json"), "w") as f:
            f.write(text)
        reference = Tokenizer.from_str(text)
        if name == "llama3":
            with open(os.path.join(HERE, name, "tokenizer_config.json"), "w") as f:
                json.dump({"bos_token": "<|im_start|>", "eos_token": {"content": "<|im_end|>"}, "pad_token": "<|endoftext|>"},
                          f, indent=1)
        expected[name] = [{"text": t, "ids": reference.encode(t, add_special_tokens=False).ids,
                           "decoded": reference.decode(reference.encode(t, add_special_tokens=False).ids,
                                                       skip_special_tokens=True)} for t in TEXTS]
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
