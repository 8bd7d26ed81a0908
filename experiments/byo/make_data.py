#!/usr/bin/env python3
"""Writes the `byo` experiment's data: assistant-style SFT conversations, preference pairs, PPO prompts,
eval prompts and a small plain-text corpus, all in Hugging Face TRL formats.

Deterministic (fixed seed, no network, standard library only); every sentence comes from the templates
below, written for this project. Run from the repository root:

    python3 experiments/byo/make_data.py

Eval prompts are drawn from slots disjoint from every training set, so gate.eval_leak passes.
"""
import json
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataset")
rng = random.Random(20261204)

# Small facts the assistant answers from. Each topic is a list of (prompt, good answer, worse answers).
CITIES = [("Norway", "Oslo"), ("Kenya", "Nairobi"), ("Peru", "Lima"), ("Japan", "Tokyo"), ("Egypt", "Cairo"),
          ("Canada", "Ottawa"), ("Chile", "Santiago"), ("Ghana", "Accra"), ("Spain", "Madrid"), ("Nepal", "Kathmandu"),
          ("Cuba", "Havana"), ("Poland", "Warsaw"), ("Iran", "Tehran"), ("Fiji", "Suva"), ("Mali", "Bamako"),
          ("Laos", "Vientiane"), ("Oman", "Muscat"), ("Chad", "N'Djamena"), ("Iraq", "Baghdad"), ("Togo", "Lome"),
          ("Italy", "Rome"), ("Greece", "Athens"), ("Sweden", "Stockholm"), ("Austria", "Vienna"), ("Qatar", "Doha")]
COLOURS = [("a ripe banana", "yellow"), ("fresh grass", "green"), ("a clear daytime sky", "blue"), ("snow", "white"),
           ("coal", "black"), ("a ripe tomato", "red"), ("a carrot", "orange"), ("a lavender flower", "purple"),
           ("milk chocolate", "brown"), ("a lemon", "yellow"), ("a lime", "green"), ("a flamingo", "pink")]
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
TIPS = {
    "keep basil alive": "Give it bright light, water when the top of the soil is dry, and pinch off the flowers.",
    "fall asleep faster": "Keep a regular bedtime, dim the lights an hour before, and leave your phone in another room.",
    "remember new words": "Use each word in a sentence today, and review it again after one day and after one week.",
    "make rice less sticky": "Rinse the rice until the water runs clear, then cook it with a lid and do not stir it.",
    "start running": "Begin with short runs mixed with walking, three times a week, and add a few minutes each week.",
    "write a clear email": "Put the request in the first line, keep paragraphs short, and end with the next step.",
    "save money on food": "Plan meals for the week, shop with a list, and cook larger batches to eat later.",
    "stay focused while studying": "Work in blocks of twenty five minutes, silence notifications, and take short breaks.",
    "clean a cast iron pan": "Scrub it with hot water and a brush, dry it on the stove, and wipe on a thin layer of oil.",
    "prepare for an interview": "Read about the company, practise answers aloud, and prepare two questions to ask them.",
    "keep a plant from wilting": "Check the soil every few days, water deeply when dry, and keep it out of hot drafts.",
    "learn to juggle": "Start with one ball tossed hand to hand, then two, and only add the third when that feels easy.",
    "reduce screen time": "Turn off non-urgent notifications, set app limits, and keep the phone out of the bedroom.",
    "make tea taste better": "Use fresh water just off the boil, steep for three minutes, and remove the leaves.",
    "pack a light suitcase": "Pick clothes in two matching colours, roll them, and leave out anything you might need.",
    "calm down before a talk": "Breathe out slowly a few times, look at a friendly face, and start with a short story.",
}
WORDS = {"cheerful": "happy and full of good spirits", "brief": "short in time or length", "fragile": "easily broken",
         "ancient": "very old", "generous": "willing to give more than expected", "humid": "damp and warm",
         "rapid": "very fast", "silent": "making no sound", "vivid": "bright and clear", "timid": "shy and easily scared",
         "tidy": "neat and in order", "sturdy": "strong and hard to break", "bitter": "sharp and unpleasant in taste",
         "curious": "eager to know or learn", "gentle": "soft and kind", "hollow": "empty inside"}
SYSTEMS = ["You are a helpful assistant. Answer briefly.", "You are a friendly tutor.", "Answer in one sentence."]

CAPITAL_PROMPTS = ["What is the capital of {c}?", "Which city is the capital of {c}?", "Tell me the capital of {c}.",
                   "Name the capital city of {c}.", "What city serves as the capital of {c}?"]
COLOUR_PROMPTS = ["What colour is {t}?", "Which colour is {t} usually?", "Tell me the colour of {t}."]
SUM_PROMPTS = ["What is {a} plus {b}?", "How much is {a} and {b} together?", "Add {a} and {b}.", "What do you get when you add {a} to {b}?"]
TIP_PROMPTS = ["How do I {t}?", "Any advice on how to {t}?", "What is a good way to {t}?", "Can you tell me how to {t}?"]
WORD_PROMPTS = ["What does the word {w} mean?", "Define {w}.", "Explain the meaning of {w}.", "What is the meaning of the word {w}?"]
GREETINGS = [("Hello!", "Hello! How can I help you today?"), ("Hi there.", "Hi! What can I do for you?"),
             ("Good morning!", "Good morning! What would you like to know?"), ("Thanks for the help.", "You are welcome. Happy to help."),
             ("Thank you!", "You are welcome!"), ("Hey, are you there?", "Yes, I am here. What do you need?")]

FILLER = ["Well, that is a really interesting question and I am glad you asked it.", "Let me think about this for a moment.",
          "There are many things one could say here.", "As everyone knows, questions like this come up all the time."]


def capitalise(text):
    return text[0].upper() + text[1:]


def capital_item(country, city, template):
    prompt = template.format(c=country)
    good = f"The capital of {country} is {city}."
    wrong = rng.choice([c for _, c in CITIES if c != city])
    worse = [f"The capital of {country} is {wrong}.", f"{rng.choice(FILLER)} The capital of {country} is {city}, I believe.",
             f"{city} {city} {city}", "I do not know.", f"User: {prompt} Assistant: {city}"]
    return prompt, good, worse


def colour_item(thing, colour, template):
    prompt = template.format(t=thing)
    good = f"{capitalise(thing)} is {colour}."
    wrong = rng.choice([c for _, c in COLOURS if c != colour])
    worse = [f"{capitalise(thing)} is {wrong}.", f"{rng.choice(FILLER)} It depends, but mostly {colour}.", "Colours are hard to say."]
    return prompt, good, worse


def sum_item(a, b, template):
    prompt = template.format(a=NUMBERS[a], b=NUMBERS[b])
    total = a + b
    good = f"{capitalise(NUMBERS[a])} plus {NUMBERS[b]} is {total}."
    worse = [f"{capitalise(NUMBERS[a])} plus {NUMBERS[b]} is {total + rng.choice([-2, -1, 1, 2])}.",
             f"{rng.choice(FILLER)} Adding numbers is something people do every day.", f"{total}{total}{total}"]
    return prompt, good, worse


def tip_item(task, template):
    prompt = template.format(t=task)
    good = TIPS[task]
    other = rng.choice([t for t in TIPS if t != task])
    worse = [TIPS[other], f"{rng.choice(FILLER)} {rng.choice(FILLER)}", "Just try harder.", f"Assistant: {good} User: thanks"]
    return prompt, good, worse


def word_item(word, template):
    prompt = template.format(w=word)
    good = f"{capitalise(word)} means {WORDS[word]}."
    other = rng.choice([w for w in WORDS if w != word])
    worse = [f"{capitalise(word)} means {WORDS[other]}.", f"{rng.choice(FILLER)} Words have many meanings.", f"{word} {word} {word}."]
    return prompt, good, worse


def all_items():
    """Every (slot key, prompt, good answer, worse answers) the templates make."""
    items = []
    for country, city in CITIES:
        for t in CAPITAL_PROMPTS:
            items.append((("capital", country), *capital_item(country, city, t)))
    for thing, colour in COLOURS:
        for t in COLOUR_PROMPTS:
            items.append((("colour", thing), *colour_item(thing, colour, t)))
    for a in range(1, 13):
        for b in range(1, 9):
            t = SUM_PROMPTS[(a * 3 + b) % len(SUM_PROMPTS)]
            items.append((("sum", a, b), *sum_item(a, b, t)))
    for task in TIPS:
        for t in TIP_PROMPTS:
            items.append((("tip", task), *tip_item(task, t)))
    for word in WORDS:
        for t in WORD_PROMPTS:
            items.append((("word", word), *word_item(word, t)))
    return items


def messages(*turns):
    return [{"role": role, "content": content} for role, content in turns]


def main():
    items = all_items()
    slots = sorted({key for key, *_ in items})
    rng.shuffle(slots)
    eval_slots = set(slots[:60])  # eval prompts ask about facts no training set mentions
    train = [item for item in items if item[0] not in eval_slots]
    held = [item for item in items if item[0] in eval_slots]
    rng.shuffle(train)
    rng.shuffle(held)

    # Eval prompts: one per held-out slot, then more templates of those slots, about 100 in all.
    eval_prompts, seen = [], set()
    for key, prompt, *_ in held:
        if prompt not in seen and len(eval_prompts) < 100:
            seen.add(prompt)
            number = len(eval_prompts) + 1
            # Every tenth eval prompt carries a system message, every tenth (offset by five) follows a greeting turn.
            if number % 10 == 0:
                shown = messages(("system", SYSTEMS[number // 10 % len(SYSTEMS)]), ("user", prompt))
            elif number % 10 == 5:
                greeting, reply = GREETINGS[number // 10 % len(GREETINGS)]
                shown = messages(("user", greeting), ("assistant", reply), ("user", prompt))
            else:
                shown = prompt
            eval_prompts.append({"prompt": shown, "id": f"byo-eval-{number:03d}", "scenario": key[0]})

    sft, prefs, ppo = [], [], []
    for index, (key, prompt, good, worse) in enumerate(train):
        kind = index % 10
        if len(sft) < 320:
            if kind < 4:
                sft.append({"messages": messages(("user", prompt), ("assistant", good))})
            elif kind < 6:
                sft.append({"prompt": prompt, "completion": good})
            elif kind < 7:
                sft.append({"messages": messages(("system", rng.choice(SYSTEMS)), ("user", prompt), ("assistant", good))})
            elif kind < 8:
                greeting, reply = rng.choice(GREETINGS)
                sft.append({"messages": messages(("user", greeting), ("assistant", reply), ("user", prompt), ("assistant", good))})
            else:
                sft.append({"prompt": prompt, "response": good})
        for rejected in rng.sample(worse, 2):
            if len(prefs) >= 320:
                break
            style = (2 * index + len(prefs)) % 6
            if style == 0:
                prefs.append({"prompt": prompt, "chosen": good, "rejected": rejected})
            elif style == 1:
                prefs.append({"prompt": messages(("user", prompt)), "chosen": messages(("assistant", good)),
                              "rejected": messages(("assistant", rejected))})
            elif style == 2:
                prefs.append({"chosen": messages(("user", prompt), ("assistant", good)),
                              "rejected": messages(("user", prompt), ("assistant", rejected))})
            elif style == 3:
                prefs.append({"prompt": prompt, "chosen": good, "rejected": rejected,
                              "score_chosen": 8 + rng.randint(0, 2), "score_rejected": 2 + rng.randint(0, 4)})
            elif style == 4:  # conversational, with a system message in the prompt
                prefs.append({"prompt": messages(("system", rng.choice(SYSTEMS)), ("user", prompt)),
                              "chosen": messages(("assistant", good)), "rejected": messages(("assistant", rejected))})
            else:  # implicit prompt: whole conversations sharing a greeting turn and the question
                greeting, reply = rng.choice(GREETINGS)
                shared = (("user", greeting), ("assistant", reply), ("user", prompt))
                prefs.append({"chosen": messages(*shared, ("assistant", good)), "rejected": messages(*shared, ("assistant", rejected))})
        if len(ppo) < 200:
            shown = messages(("system", rng.choice(SYSTEMS)), ("user", prompt)) if len(ppo) % 5 == 4 else prompt
            ppo.append({"prompt": shown, "id": f"byo-ppo-{len(ppo) + 1:03d}", "scenario": key[0]})
    for greeting, reply in GREETINGS:
        sft.append({"prompt": greeting, "response": reply})
    # Two-turn conversations joining two training questions, until there are about 320 conversations.
    while len(sft) < 320:
        (_, p1, g1, _), (_, p2, g2, _) = rng.sample(train, 2)
        sft.append({"messages": messages(("user", p1), ("assistant", g1), ("user", p2), ("assistant", g2))})

    # A plain-text corpus for pretraining the byte-level base model: the answers as prose.
    corpus = []
    for key, prompt, good, worse in train:
        corpus.append(f"{prompt} {good}")
    rng.shuffle(corpus)

    os.makedirs(OUT, exist_ok=True)
    for name, rows in [("sft.jsonl", sft), ("preferences.jsonl", prefs), ("prompts_ppo.jsonl", ppo), ("eval_prompts.jsonl", eval_prompts)]:
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    with open(os.path.join(OUT, "corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(corpus) + "\n")
    print(f"sft {len(sft)}, preferences {len(prefs)}, ppo prompts {len(ppo)}, eval prompts {len(eval_prompts)}, corpus lines {len(corpus)}")


if __name__ == "__main__":
    main()
