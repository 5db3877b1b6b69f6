"""Rule features of a prompt, computed exactly as crates/adapters/detector/src/features.rs.

Any change here must be mirrored there; the Rust test `python_fixture_agrees` fails
when the two disagree.
"""

import math

FOLD = dict(zip("áàâãäéèêëíìîïóòôõöúùûüçñ", "aaaaaeeeeiiiiooooouuuucn"))
QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "'": "'"}

FEATURE_NAMES = [
    "be_affirm", "be_negated", "fp_fact", "fp_taste", "negated_fact", "hypothetical",
    "roleplay", "wish", "should", "third_person", "with_user", "one_off", "standing",
    "answer_style", "temporary", "sarcasm", "pasted_task", "fiction", "passing", "duration",
    "fp_words", "fp_in_quote", "quoted_frac", "has_code", "question", "length",
    "remember", "stop", "we", "laugh", "clause_clean", "clause_clean_beside_other",
    "clause_fp_all_scoped", "ignorance", "own_possessive",
    "fp_state", "clause_state_only", "clause_clean_label", "clause_label_laugh", "fp_generic",
]
# Clause boundaries: punctuation, and tokens that open a contrasting clause.
CLAUSE_CHARS = set(".!?;:\n()\u2014\u2013,\u00bf\u00a1")
CLAUSE_WORDS = {"mas", "but", "pero", "porem", "though", "however", "although", "embora", "aunque",
                "enquanto", "while", "whereas", "mientras"}
# "e / and / y" opens a new clause only before a new subject or a time word ("sou advogada
# e hoje tô exausta", "and I'm…"), so "eu e minha esposa" stays one subject.
CONJUNCTIONS = {"e", "and", "y"}
CONJUNCTION_NEXT = {
    "hoje", "amanha", "ontem", "agora", "essa", "esta", "nessa", "nesta", "to", "estou", "tava",
    "estava", "acabei", "eu", "today", "tomorrow", "tonight", "yesterday", "right", "this", "i",
    "im", "hoy", "manana", "ayer", "ahora", "este", "estoy", "acabo", "yo",
    "meu", "minha", "meus", "minhas", "my", "mi", "mis", "ele", "ela", "eles", "elas", "he", "she",
    "they", "el", "ella", "ellos", "ellas",
}
# …except in a plural subject: "meu irmão e eu somos…", "my husband and I foster…".
PRONOUNS = {"eu", "i", "yo"}
USER_PRONOUNS = {"eu", "i", "me", "yo"}
SUBJECT_HEADS = {"meu", "minha", "meus", "minhas", "my", "our", "mi", "mis", "nuestro", "nuestra",
                 "o", "a", "the", "el", "la"}


# Subordinators: the clause they open presupposes a fact ("…given that I'm diabetic?"), so
# it is cut from the question around it and does not ask.
SUBORDINATORS = {("porque",), ("pois",), ("because",), ("since",), ("given", "that"),
                 ("ja", "que"), ("ya", "que"), ("dado", "que"), ("sendo", "que"), ("visto", "que"),
                 ("puesto", "que")}


def subordinator_at(toks, j):
    """Length of the subordinator starting at toks[j], or 0."""
    for m in (2, 1):
        if tuple(toks[j:j + m]) in SUBORDINATORS:
            return m
    return 0


def joint_subject(part, nxt):
    """`part and I…` is one plural subject when `part` is a short "my X" / "o X"."""
    if nxt in PRONOUNS:
        return 0 < len(part) <= 3 and part[0] in SUBJECT_HEADS
    # "eu e minha esposa…", "me and my brother…"
    return len(part) == 1 and part[0] in USER_PRONOUNS and nxt in SUBJECT_HEADS


def fold(text):
    return "".join(FOLD.get(c, c) for c in text.lower())


def tokens(text):
    out, cur = [], []
    for c in fold(text):
        if c.isalnum():
            cur.append(c)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def split_outside(text):
    """(text outside code and quotes, text inside them, whether a code block was found)."""
    chars = list(text)
    n = len(chars)
    outside, inside = [], []
    has_code = False
    i = 0
    while i < n:
        if chars[i] == "`":
            fence = 3 if chars[i:i + 3] == ["`"] * 3 else 1
            end = _find(chars, ["`"] * fence, i + fence)
            if end is not None:
                has_code = has_code or fence == 3
                inside.extend(chars[i + fence:end])
                inside.append(" ")
                outside.append(" ")
                i = end + fence
                continue
        closer = QUOTES.get(chars[i])
        if closer is not None and _opens(chars, i):
            end = _find_closer(chars, closer, i + 1)
            if end is not None:
                inside.extend(chars[i + 1:end])
                inside.append(" ")
                outside.append(" ")
                i = end + 1
                continue
        outside.append(chars[i])
        i += 1
    return "".join(outside), "".join(inside), has_code


def _opens(chars, i):
    # An apostrophe inside a word ("I'm", "don't") is not a quote.
    return chars[i] != "'" or i == 0 or not chars[i - 1].isalnum()


def _find(chars, pattern, start):
    m = len(pattern)
    for j in range(start, len(chars) - m + 1):
        if chars[j:j + m] == pattern:
            return j
    return None


def _find_closer(chars, closer, start):
    for j in range(start, len(chars)):
        if chars[j] == closer:
            if closer == "'" and j + 1 < len(chars) and chars[j + 1].isalnum():
                continue
            return j
    return None


def count(toks, phrases):
    total = 0
    for phrase in phrases:
        m = len(phrase)
        for j in range(len(toks) - m + 1):
            if toks[j:j + m] == phrase:
                total += 1
    return total


def first_at(toks, phrases):
    """Index of the first token that starts one of `phrases`, or len(toks)."""
    for j in range(len(toks)):
        if any(toks[j:j + len(p)] == p for p in phrases):
            return j
    return len(toks)


def clauses(outside):
    """(tokens, is a question) for the clauses of the text outside quotes and code."""
    pieces, cur, opened = [], [], False
    for c in outside:
        if c in CLAUSE_CHARS:
            pieces.append(("".join(cur), opened or c == "?"))
            cur, opened = [], c == "\u00bf"
        else:
            cur.append(c)
    pieces.append(("".join(cur), opened))
    result = []
    for piece, question in pieces:
        part = []
        toks = tokens(piece)
        j = 0
        while j < len(toks):
            t = toks[j]
            nxt = toks[j + 1] if j + 1 < len(toks) else ""
            sub = subordinator_at(toks, j)
            if sub or t in CLAUSE_WORDS or (t in CONJUNCTIONS and nxt in CONJUNCTION_NEXT
                                            and not joint_subject(part, nxt)):
                if part:
                    result.append((part, question))
                part = []
                if sub:
                    question = False
                j += max(sub, 1)
            else:
                part.append(t)
                j += 1
        if part:
            result.append((part, question))
    return result


def generic_first_person(toks, lex):
    """"I <verb>", "eu <verb>-o", "yo <verb>-o": a first-person verb outside the lists."""
    for t, n in zip(toks, toks[1:]):
        if t == "i" and [n] not in lex["i_not_verb"] and not n.endswith("ed"):
            return True
        if t in ("eu", "yo") and n.endswith("o") and len(n) > 2 \
                and [n] not in lex["romance_not_verb"]:
            return True
    return False


def clause_flags(toks, lex):
    """(states something about the user in the first person, scoped: hypothetical, wish or
    plan, temporary, sarcastic, one-off, role-play, negated, or about someone else (a third
    person or a possessive subject: "meu X", "my X", "mi X") without the user, names someone
    else, a first-person state alone: "tô gripado")."""
    n = lambda name: count(toks, lex[name])  # noqa: E731
    # "minha loja…", "my job…": the user's own business, home, pet or routine.
    own = count(toks[:4], lex["own_possessive"]) > 0
    durable_fp = n("be") > n("be_negated") or n("fp_fact") + n("fp_taste") + n("we") > 0 or own \
        or generic_first_person(toks, lex)
    # A state alone ("tô gripado") is the user too, but says nothing lasting unless durable.
    state = n("fp_state") > 0 and not durable_fp
    fp = durable_fp or state
    # "meu nome é…" / "my name is…" is the user's own fact, not a possessive subject.
    possessive = count(toks[:3], lex["possessive"]) > 0 and n("fp_fact") == 0 and not own
    third = n("third_person") > 0 or possessive
    # "I live here with my partner": the user is the subject when named first.
    user_first = durable_fp and not possessive and min(
        first_at(toks, lex[k]) for k in ("be", "fp_fact", "fp_taste", "we")
    ) < first_at(toks, lex["third_person"])
    other = third and n("with_user") + n("we") == 0 and not user_first
    scoped = other or n("hypothetical") + n("wish") + n("should") + n("temporary") + n("sarcasm") \
        + n("one_off") + n("roleplay") + n("negated_fact") + n("be_negated") + n("ignorance") > 0
    return fp, scoped or state, third, state


def features(text, lex):
    """The rule feature vector, in FEATURE_NAMES order. `lex` maps names to token lists."""
    outside, inside, has_code = split_outside(text)
    tok = tokens(outside)
    qtok = tokens(inside)

    def has(name):
        return 1.0 if count(tok, lex[name]) > 0 else 0.0

    total_chars = max(len(text), 1)
    sarcasm = has("sarcasm") or any(s in text for s in lex["sarcasm_raw"])
    be_affirm = count(tok, lex["be"]) - count(tok, lex["be_negated"])
    fp_quote = count(qtok, lex["first_person_words"]) + count(qtok, lex["be"])
    found = clauses(outside)
    flags = [clause_flags(c, lex) for c, _ in found]
    # A first-person verb in a question ("que bolo eu faço?") asks, it does not state.
    clean = any(fp and not scoped and not q for (fp, scoped, _, _), (_, q) in zip(flags, found))
    # A clean clause with an affirmed label ("sou X", "I'm a X", "soy X").
    label = any(fp and not scoped and not q and count(c, lex["be"]) > count(c, lex["be_negated"])
                for (fp, scoped, _, _), (c, q) in zip(flags, found))
    third = any(f[2] for f in flags)
    fp_any = any(f[0] for f in flags)
    return [
        1.0 if be_affirm > 0 else 0.0,
        # "Não sou X, sou Y" keeps Y: a negated label counts only without a clean label.
        1.0 if has("be_negated") and not label else 0.0,
        has("fp_fact"),
        has("fp_taste"),
        has("negated_fact"),
        has("hypothetical"),
        has("roleplay"),
        has("wish"),
        has("should"),
        has("third_person"),
        has("with_user"),
        has("one_off"),
        has("standing"),
        min(count(tok, lex["answer_style"]), 3) / 3.0,
        has("temporary"),
        1.0 if sarcasm else 0.0,
        has("pasted_task"),
        has("fiction"),
        has("passing"),
        has("duration"),
        min(count(tok, lex["first_person_words"]), 5) / 5.0,
        1.0 if fp_quote > 0 else 0.0,
        len(inside) / total_chars,
        1.0 if has_code else 0.0,
        1.0 if ("?" in outside or "\u00bf" in outside) else 0.0,
        min(math.log1p(len(tok)) / 5.0, 1.0),
        1.0 if count(tok, lex["remember"]) > count(tok, lex["remind"]) else 0.0,
        has("stop"),
        has("we"),
        has("laugh"),
        1.0 if clean else 0.0,
        1.0 if clean and third else 0.0,
        1.0 if fp_any and not clean else 0.0,
        has("ignorance"),
        has("own_possessive"),
        has("fp_state"),
        1.0 if any(f[3] for f in flags) and not clean else 0.0,
        1.0 if label else 0.0,
        # A label with laughter in the same clause: self-mockery ("sou a rainha da bagunça kkkk").
        1.0 if any(count(c, lex["be"]) > count(c, lex["be_negated"]) and count(c, lex["laugh"]) > 0
                   for c, _ in found) else 0.0,
        1.0 if any(generic_first_person(c, lex) for c, _ in found) else 0.0,
    ]


def lexicon_tokens(phrase_features, sarcasm_raw):
    lex = {name: [tokens(p) for p in phrases] for name, phrases in phrase_features.items()}
    lex = {name: _unique([p for p in phrases if p]) for name, phrases in lex.items()}
    lex["sarcasm_raw"] = list(sarcasm_raw)
    return lex


def _unique(phrases):
    seen, out = set(), []
    for p in phrases:
        if tuple(p) not in seen:
            seen.add(tuple(p))
            out.append(p)
    return out
