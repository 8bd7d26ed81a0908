#!/usr/bin/env python3
"""Render the chat-template fixtures of Tests/ChatTemplateTests with transformers and jinja2.

For every template in Tests/ChatTemplateTests/Fixtures/templates/*.jinja and every conversation below that the
template is meant for, renders with add_generation_prompt False and True through transformers'
`render_jinja_template` (the function behind `apply_chat_template(..., tokenize=False)`), with the model's special
tokens as `apply_chat_template` passes them. Writes Fixtures/cases.json: the inputs, the expected text (or the
error a template raises) and, for templates with {% generation %} blocks, the generation spans as UTF-8 byte
offsets. `strftime_now` is pinned to a fixed instant (recorded in the file) so the Llama 3 date is reproducible.

Run: bench/.venv/bin/python bench/render_chat_fixtures.py
"""
import datetime as _dt
import json
import pathlib

import jinja2
import transformers
from transformers.utils import chat_template_utils as ctu

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "ChatTemplateTests" / "Fixtures"
NOW = _dt.datetime(2026, 1, 15, 10, 30, 0)


class _FixedDatetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW



SPECIAL_TOKENS = {
    "smollm2": {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "unk_token": "<|endoftext|>",
                "pad_token": "<|im_end|>"},
    "llama-3.2": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "qwen-2.5": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "qwen-3": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "hermes-3-tool-use": {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>", "pad_token": "<|end_of_text|>"},
    "qwen-2.5-generation": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "mistral": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "mistral-nemo": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "gemma-2": {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"},
    "gemma-3": {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"},
    "phi-3.5": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"},
    "zephyr": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
}

# Strings that open a turn or name a role; a loss span must never contain one.
ROLE_MARKERS = {
    "smollm2": ["<|im_start|>"],
    "llama-3.2": ["<|start_header_id|>", "<|end_header_id|>"],
    "qwen-2.5": ["<|im_start|>"],
    "qwen-3": ["<|im_start|>"],
    "hermes-3-tool-use": ["<|im_start|>"],
    "qwen-2.5-generation": ["<|im_start|>"],
    "mistral": ["[INST]", "[/INST]"],
    "mistral-nemo": ["[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[TOOL_RESULTS]"],
    "gemma-2": ["<start_of_turn>"],
    "gemma-3": ["<start_of_turn>"],
    "phi-3.5": ["<|user|>", "<|system|>", "<|assistant|>"],
    "zephyr": ["<|user|>", "<|system|>", "<|assistant|>"],
}

SYSTEM = "You are a terse assistant. Answer in one sentence."
CONVERSATIONS = {
    "system-two-turns": [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "Paris is the capital of France."},
        {"role": "user", "content": "And of Italy?"},
        {"role": "assistant", "content": "Rome is the capital of Italy."},
    ],
    "two-turns-open": [
        {"role": "user", "content": "Name a prime number."},
        {"role": "assistant", "content": "Seven is prime."},
        {"role": "user", "content": "Name another one."},
    ],
    "single-user": [
        {"role": "user", "content": "Hello!"},
    ],
    "unicode-whitespace": [
        {"role": "system", "content": "  Be kind. \u00dcbung macht den Meister.\n"},
        {"role": "user", "content": "Gr\u00fc\u00dfe \U0001F30D \u2014 \u201cquotes\u201d, 'single', \"double\", back\\slash,\n  indented\ttab"},
        {"role": "assistant", "content": "  \u3053\u3093\u306b\u3061\u306f! Caf\u00e9 \u00e9\u0301 costs 3\u20ac.  \n"},
    ],
}

TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name, e.g. Z\u00fcrich"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city"]},
    }},
]
TOOL_CONVERSATION = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "Weather in Z\u00fcrich?"},
    {"role": "assistant", "tool_calls": [{"id": "call12345", "type": "function", "function": {
        "name": "get_weather", "arguments": {"city": "Z\u00fcrich", "unit": "celsius"}}}]},
    {"role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": "{\"temperature\": 21.5, \"sky\": \"clear\"}"},
    {"role": "assistant", "content": "It is 21.5 \u00b0C and clear in Z\u00fcrich."},
    {"role": "user", "content": "Thanks!"},
]
TOOL_TEMPLATES = {"llama-3.2", "qwen-2.5", "qwen-2.5-generation", "mistral-nemo", "qwen-3", "hermes-3-tool-use"}
REASONING_CONVERSATION = [
    {"role": "user", "content": "What is 2 + 2?"},
    {"role": "assistant", "content": "<think>\nSimple arithmetic.\n</think>\n\nIt is 4."},
    {"role": "user", "content": "And 3 + 3?"},
    {"role": "assistant", "content": "It is 6.", "reasoning_content": "Add three to three."},
]
REASONING_TEMPLATES = {"qwen-3"}
PARTS_CONVERSATION = [
    {"role": "system", "content": [{"type": "text", "text": SYSTEM}]},
    {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "  What is in the picture?  "}]},
    {"role": "assistant", "content": [{"type": "text", "text": "A cat on a mat."}]},
    {"role": "user", "content": "And the colour?"},
]
PARTS_TEMPLATES = {"gemma-3"}


# Small templates that pin down Jinja semantics the chat templates rely on, rendered by the same environment.
SNIPPETS = [
    ("loop-scope", "{% set x = 0 %}{% for i in [1,2,3] %}[{{ x }}]{% set x = i %}({{ x }}){% endfor %}{{ x }}", {}),
    ("namespace", "{% set ns = namespace(n=0, s='') %}{% for i in range(4) %}{% set ns.n = ns.n + i %}"
     "{% set ns.s = ns.s ~ i %}{% endfor %}{{ ns.n }}|{{ ns.s }}|{{ ns }}", {}),
    ("loop-vars", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
     "{{ loop.first }}{{ loop.last }}{{ loop.length }}<{{ loop.previtem }}|{{ loop.nextitem }}>"
     "{{ loop.cycle('a', 'b') }};{% endfor %}", {"xs": ["p", "q", "r"]}),
    ("loop-filter-else", "{% for x in xs if x > 1 %}{{ x }}{{ loop.length }}{% else %}none{% endfor %}"
     "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", {"xs": [1, 2, 3]}),
    ("break-continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x > 4 %}{% break %}{% endif %}"
     "{{ x }}{% endfor %}", {}),
    ("unpack", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}"
     "{% set a, b = [1, 2] %}{{ a + b }}", {"d": {"z": 1, "a": [1, "x"], "m": None}}),
    ("whitespace", "{% if true %}\n  a\n{% endif %}\n  {{ 1 }}\n  {% if 1 %}b{% endif %}  \n{# c #}\n  x\n"
     "    {%- if true -%}   y   {%- endif %}  z {{- '!' }}\n{%+ if true %}plus{% endif %}\n", {}),
    ("lstrip-same-line", "a  {% if true %}b{% endif %}  \n\t{% if true %}c{% endif %}\n", {}),
    ("print-values", "{{ none }}|{{ true }}|{{ 1.0 }}|{{ 1e20 }}|{{ 0.1 + 0.2 }}|{{ 3 / 2 }}|{{ 7 // 2 }}|{{ -7 % 3 }}"
     "|{{ [1, 'a', none, true, 1.5] }}|{{ {'a': {'b': [1]}} }}|{{ (1,) }}|{{ ('x', \"it's\") }}|{{ undefined_name }}|", {}),
    ("arithmetic", "{{ 2 ** 10 }}|{{ true + 1 }}|{{ 'ab' * 3 }}|{{ [1] + [2] }}|{{ 1 ~ 'x' ~ none }}|{{ -3 // 2 }}|{{ 7.5 // 2 }}", {}),
    ("compare", "{{ 1 == 1.0 }}{{ 'a' < 'b' }}{{ [1, 2] == [1, 2] }}{{ 1 < 2 < 3 }}{{ 3 > 2 > 2 }}{{ 'x' in 'xyz' }}"
     "{{ 'q' not in ['a'] }}{{ 'k' in {'k': 1} }}{{ none == none }}{{ d == e }}", {"d": {"a": 1, "b": 2}, "e": {"b": 2, "a": 1}}),
    ("boolean", "{{ 0 or 'x' }}|{{ 1 and 'y' }}|{{ '' or [] }}|{{ not none }}|{{ none and 1 }}|{{ 'a' if 0 else 'b' }}|{{ 'c' if 0 }}|", {}),
    ("subscripts", "{{ xs[0] }}{{ xs[-1] }}{{ xs[1:] }}{{ xs[:-1] }}{{ xs[::-1] }}{{ xs[::2] }}{{ s[1:3] }}{{ s[-2:] }}"
     "{{ s[::-1] }}|{{ xs[9] }}|{{ d['a'] }}{{ d.a }}{{ d.missing }}|{{ s[0] }}", {"xs": [1, 2, 3, 4, 5], "s": "h\u00e9llo", "d": {"a": 7}}),
    ("tests", "{{ x is defined }}{{ y is defined }}{{ y is undefined }}{{ none is none }}{{ 'a' is string }}{{ 1 is string }}"
     "{{ 1 is number }}{{ 1 is integer }}{{ 1.0 is float }}{{ true is boolean }}{{ d is mapping }}{{ 'a' is iterable }}"
     "{{ d is iterable }}{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ x is not none }}{{ 1 is sameas 1 }}"
     "{{ 'A' is upper }}{{ 'a' is lower }}{{ 2 is eq 2 }}{{ f is callable }}", {"x": 1, "d": {}, "f": None}),
    ("string-methods", "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.strip(' x') }}|{{ s.upper() }}|{{ s.lower() }}"
     "|{{ 'a b  c'.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}"
     "|{{ 'hello'.startswith('he') }}{{ 'hello'.endswith(('x', 'lo')) }}|{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}"
     "|{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'abcabc'.find('c') }}{{ 'abc'.find('z') }}|{{ 'a-b'.count('-') }}|{{ '-'.join(['x', 'y']) }}"
     "|{{ 'l1\\nl2\\r\\nl3'.splitlines() }}|{{ '</think>x'.split('</think>')[-1] }}", {"s": "  xHi There x  "}),
    ("dict-methods", "{{ d.get('a') }}{{ d.get('z') }}{{ d.get('z', 5) }}{{ d.keys() | list }}{{ d.values() | list }}"
     "{{ d.items() | list }}{{ d['items'] is defined }}", {"d": {"a": 1, "b": "two"}}),
    ("filters", "{{ '  x  ' | trim }}|{{ 'xxhixx' | trim('x') }}|{{ [1, 2] | length }}|{{ 'h\u00e9' | length }}|{{ d | length }}"
     "|{{ y | default('dflt') }}|{{ '' | default('e', true) }}|{{ none | default('n') }}|{{ 'ab' | list }}|{{ xs | join(', ') }}"
     "|{{ xs | first }}{{ xs | last }}|{{ 'ab' | upper }}{{ 'AB' | lower }}|{{ 'a b' | title }}{{ 'aB' | capitalize }}"
     "|{{ 'a.b' | replace('.', '!') }}|{{ 3 | string ~ 'x' }}|{{ '42' | int + 1 }}{{ 'x' | int }}{{ 3.9 | int }}{{ '2.5' | float }}"
     "|{{ -3 | abs }}|{{ 2.567 | round(2) }}{{ 2.5 | round }}|{{ xs | reverse | list }}|{{ [3, 1, 2] | sort }}|{{ [1, 1, 2] | unique | list }}"
     "|{{ xs | min }}{{ xs | max }}{{ xs | sum }}|{{ d | items | list }}|{{ 'a\\nb' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}"
     "|{{ '<a & b>' | e }}|{{ 'x' | safe }}|{{ 'one two' | wordcount }}",
     {"xs": [1, 2, 3], "d": {"k": "v"}}),
    ("select-map", "{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | join('+') }}"
     "|{{ ms | rejectattr('role', 'equalto', 'user') | list | length }}|{{ ms | selectattr('tool') | list | length }}"
     "|{{ [0, 1, 2, ''] | select | list }}|{{ [1, 2, 3, 4] | reject('odd') | list }}|{{ ['a', 'b'] | map('upper') | list }}"
     "|{{ ms | map(attribute='missing', default='-') | join }}|{{ ms | map(attribute='role') | first }}",
     {"ms": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "tool": 1}, {"role": "user", "content": "c"}]}),
    ("tojson", "{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ d | tojson(sort_keys=true) }}|{{ d | tojson(separators=(',', ':')) }}"
     "|{{ 'caf\u00e9 \"q\" \\\\ \\n \\t \u0001 \U0001F600' | tojson }}|{{ [] | tojson(indent=2) }}|{{ {} | tojson }}|{{ 1.5 | tojson }}"
     "|{{ none | tojson }}|{{ true | tojson }}|{{ d | tojson(true) }}",
     {"d": {"z": [1, 2.0, None], "a": {"x": "\u00fc"}, "b": True}}),
    ("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}", {}),
    ("set-block", "{% set x %}a{{ 1 + 1 }}b{% endset %}[{{ x }}]", {}),
    ("string-escapes", "{{ 'a\\tb' }}|{{ \"it's\" }}|{{ 'say \\'hi\\'' }}|{{ '\\u00e9\\x41' }}|{{ 'x' 'y' }}", {}),
    ("dict-global", "{% set d = dict(a=1, b='x') %}{{ d }}|{{ d.b }}|{{ namespace(d).a }}", {}),
    ("strftime", "{{ strftime_now('%Y-%m-%d %H:%M:%S %b %B %a %A %j %I%p %y %%') }}", {}),
    ("raise", "{% if true %}{{ raise_exception('Roles must alternate: ' ~ 'user then assistant') }}{% endif %}", {}),
    ("undefined-attribute-error", "{{ nothing.attr }}", {}),
    ("undefined-plus-error", "{{ nothing + 'x' }}", {}),
    ("type-error", "{{ 'a' + 1 }}", {}),
    ("unsafe-append", "{{ xs.append(1) }}", {"xs": []}),
]


def render_snippet(source, variables):
    try:
        return {"expected": ctu._compile_jinja_template(source).render(**variables)}
    except jinja2.exceptions.TemplateError as error:
        return {"error": str(error), "error_type": type(error).__name__}
    except Exception as error:  # TypeError and friends surface unchanged from jinja2
        return {"error": str(error), "error_type": type(error).__name__}


def render(template, messages, add_generation_prompt, special, variables):
    has_generation = "generation" in template and "{% generation" in template.replace("{%-", "{%")
    try:
        rendered, indices = ctu.render_jinja_template(
            conversations=[ctu._normalize_chat_messages(messages)], chat_template=template,
            return_assistant_tokens_mask=has_generation, add_generation_prompt=add_generation_prompt,
            **{**special, **variables})
    except Exception as error:  # TemplateError from raise_exception, TypeError and friends from the template's code
        return {"error": str(error), "error_type": type(error).__name__}
    text = rendered[0]
    out = {"expected": text}
    if has_generation:
        out["generation_spans"] = [[len(text[:s].encode()), len(text[:e].encode())] for s, e in indices[0]]
    return out


def main():
    ctu.datetime = _FixedDatetime  # strftime_now reads the module's `datetime` at call time
    cases = []
    for path in sorted((FIXTURES / "templates").glob("*.jinja")):
        name = path.stem
        template = path.read_text(encoding="utf-8")
        conversations = dict(CONVERSATIONS)
        if name in TOOL_TEMPLATES:
            conversations["tools"] = TOOL_CONVERSATION
        if name in REASONING_TEMPLATES:
            conversations["reasoning"] = REASONING_CONVERSATION
        if name in PARTS_TEMPLATES:
            conversations["content-parts"] = PARTS_CONVERSATION
        for conversation, messages in conversations.items():
            variables = {"tools": TOOLS} if conversation == "tools" else {}
            for add_generation_prompt in (False, True):
                case = {"template": name, "conversation": conversation, "add_generation_prompt": add_generation_prompt,
                        "special_tokens": SPECIAL_TOKENS[name], "variables": variables, "messages": messages}
                case.update(render(template, messages, add_generation_prompt, SPECIAL_TOKENS[name], variables))
                cases.append(case)
    out = {"generated_by": "bench/render_chat_fixtures.py", "transformers": transformers.__version__,
           "jinja2": jinja2.__version__, "now_utc": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "role_markers": ROLE_MARKERS, "cases": cases,
           "snippets": [{"name": n, "source": s, "variables": v, **render_snippet(s, v)} for n, s, v in SNIPPETS]}
    (FIXTURES / "cases.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    errors = sum("error" in c for c in cases)
    print(f"wrote {len(cases)} cases ({errors} expected errors) to {FIXTURES / 'cases.json'}")


if __name__ == "__main__":
    main()
