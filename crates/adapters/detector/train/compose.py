"""Writes data/corpus.jsonl: training prompts composed from the hand-written fragments
of pools_pt.py / pools_en.py / pools_es.py, one class of the error analysis at a time.

Every class of issue #14 gets prompts in every language, with the statement before,
inside or after the request, and the same connectors for positives and look-alike
negatives (so the syntax alone does not give the label away), plus noise: missing
accents, slang, typos, lower case, emoji, code blocks and English tasks in pt/es
prompts. Deterministic (seeded). Run from the repository root:

    python3 crates/adapters/detector/train/compose.py

The held-out set (data/heldout.jsonl) is written by hand, not by this script.
"""

import json
import os
import random
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pools_en  # noqa: E402
import pools_es  # noqa: E402
import pools_pt  # noqa: E402

CRATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KIND = {"I": "identity", "S": "style", "P": "preference", "F": "fact"}
# Prompts per class and language (pt, en, es), about 50/30/20.
PER_CLASS = {"pt": 40, "en": 26, "es": 20}
SLANG_PT = [("você", "vc"), ("porque", "pq"), ("também", "tb"), ("para ", "pra "), ("está", "tá"),
            ("estou", "tô"), ("qual", "ql"), ("beleza", "blz"), ("obrigado", "vlw")]
SLANG_EN = [("you", "u"), ("are", "r"), ("please", "pls"), ("because", "bc"), ("to be honest", "tbh"),
            ("I don't know", "idk")]
SLANG_ES = [("por favor", "porfa"), ("que", "q"), ("también", "tb"), ("porque", "xq")]
SLANG = {"pt": SLANG_PT, "en": SLANG_EN, "es": SLANG_ES}
EMOJI = ["🙏", "😊", "👍", "🙂", "✨", "😅"]


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def low(s):
    # Keep "I" and proper names: only lower a leading ordinary capital.
    if s.startswith("I ") or s.startswith("I'"):
        return s
    return s[:1].lower() + s[1:] if s else s


def typo(rng, s):
    words = s.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return s
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def noise(rng, lang, s):
    if "```" in s:
        return s
    if rng.random() < 0.3:
        for a, b in SLANG[lang]:
            if rng.random() < 0.5:
                s = s.replace(a, b)
    if lang != "en" and rng.random() < 0.2:
        s = unicodedata.normalize("NFC", "".join(
            c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn"))
    if rng.random() < 0.15:
        s = typo(rng, s)
    if rng.random() < 0.2:
        s = s.lower()
    if rng.random() < 0.1:
        s = s.rstrip("?.!")
    if rng.random() < 0.1:
        s = f"{s} {rng.choice(EMOJI)}"
    return s


class Composer:
    def __init__(self, lang, pools, rng):
        self.lang, self.p, self.rng = lang, pools, rng
        self.other_tasks = [t for m in (pools_pt, pools_en, pools_es) if m is not pools for t in m.TASKS]

    def task(self):
        # Now and then a task in another language (mixed-language prompts).
        if self.rng.random() < 0.08:
            return self.rng.choice(self.other_tasks)
        return self.rng.choice(self.p.TASKS)

    def wrap(self, fragment, task=None):
        """The fragment before, around or after a task, with the shared connectors."""
        r = self.rng
        t = task or self.task()
        if r.random() < 0.25:
            template = r.choice(self.p.AFTER)
        else:
            template = r.choice(self.p.SUB_BEFORE)
        return template.format(f=low(fragment), F=cap(fragment), t=low(t), T=cap(t))

    def pick(self, pool):
        return self.rng.choice(pool)


def classes(c):
    """(class name, remember, kind letter or None, generator) for every error class."""
    p, r = c.p, c.rng

    def durable():
        f, k = c.pick(p.DURABLE)
        return c.wrap(f), k

    def durable_beside_negative():
        # A durable fact next to a temporary state, a plan or a third person.
        f, k = c.pick(p.DURABLE)
        other = c.pick(r.choice([p.TEMPORARY, p.OTHERS, p.PLANS_WISHES]))
        first, second = (cap(other), low(f)) if r.random() < 0.5 else (cap(f), low(other))
        joiner = r.choice([". ", ", e ", "; "] if c.lang == "pt" else
                          [". ", ", and ", "; "] if c.lang == "en" else [". ", ", y ", "; "])
        return f"{first}{joiner}{cap(second) if joiner == '. ' else second}. {cap(c.task())}", k

    def explicit():
        f = c.pick(p.EXPLICIT)
        return (cap(f) + "." if r.random() < 0.4 else c.wrap(f)), "F"

    def style_neg():
        f = c.pick(p.STYLE_NEG)
        return (cap(f) + r.choice([".", "!", ", por favor.", " pls"]) if r.random() < 0.5
                else f"{cap(f)}. {cap(c.task())}"), "S"

    def style_standing():
        f = c.pick(p.STYLE_STANDING)
        return (cap(f) + "." if r.random() < 0.5 else f"{cap(f)}. {cap(c.task())}"), "S"

    def joint():
        return c.wrap(c.pick(p.JOINT)), "F"

    def beside():
        return c.wrap(c.pick(p.BESIDE)), "F"

    def after_other():
        f, k = c.pick(p.AFTER_OTHER)
        return f"{f}. {cap(c.task())}", k

    def neg(pool):
        return lambda: (c.wrap(c.pick(pool)), None)

    def hypothetical():
        return f"{cap(c.pick(p.HYPOTHETICAL))}, {low(c.task())}", None

    def one_off():
        f, t = c.pick(p.ONE_OFF), c.task()
        return (f"{cap(f)}: {low(t)}" if r.random() < 0.5 else f"{cap(t)} {cap(f)}."), None

    def ignorance():
        f = c.pick(p.IGNORANCE)
        return (cap(f) if r.random() < 0.6 else r.choice(["Oi, ", "Hey, ", "Hola, "]) + f), None

    def sarcasm():
        f = c.pick(p.SARCASM)
        return (cap(f) if r.random() < 0.4 else f"{cap(f)}. {cap(c.task())}"), None

    def other_and_temp():
        joiner = {"pt": "e", "en": "and", "es": "y"}[c.lang]
        return f"{cap(c.pick(p.OTHERS))} {joiner} {c.pick(p.TEMPORARY)}. {cap(c.task())}", None

    def plain():
        return cap(c.task()), None

    return [
        ("durable_in_clause", True, durable), ("durable_beside_negative", True, durable_beside_negative),
        ("explicit_memory", True, explicit), ("style_negative", True, style_neg),
        ("style_standing", True, style_standing), ("joint_subject", True, joint),
        ("beside_other", True, beside), ("after_other", True, after_other),
        ("other_people", False, neg(p.OTHERS)), ("temporary", False, neg(p.TEMPORARY)),
        ("hypothetical", False, hypothetical), ("plan_wish", False, neg(p.PLANS_WISHES)),
        ("one_off_style", False, one_off), ("ignorance", False, ignorance),
        ("sarcasm", False, sarcasm), ("other_and_temporary", False, other_and_temp),
        ("plain_task", False, plain),
    ]


# More of the classes that need the most variety.
WEIGHT = {"durable_in_clause": 3, "durable_beside_negative": 2, "other_people": 3,
          "temporary": 3, "one_off_style": 1.5, "after_other": 0.5, "plain_task": 1.5}


def main():
    rng = random.Random(14)
    rows, seen = [], set()
    for lang, pools in (("pt", pools_pt), ("en", pools_en), ("es", pools_es)):
        c = Composer(lang, pools, rng)
        for name, remember, gen in classes(c):
            target = int(PER_CLASS[lang] * WEIGHT.get(name, 1))
            made, tries = 0, 0
            while made < target and tries < target * 20:
                tries += 1
                prompt, kind = gen()
                prompt = noise(rng, lang, prompt)
                if prompt in seen:
                    continue
                seen.add(prompt)
                made += 1
                rows.append({"id": f"c{len(rows) + 1:04d}", "lang": lang, "prompt": prompt,
                             "remember": remember, "kind": KIND[kind] if remember else None,
                             "facts": [], "class": name})
    out = os.path.join(CRATE, "data", "corpus.jsonl")
    with open(out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} prompts to {out}")


if __name__ == "__main__":
    main()
