"""Trains the preference detector and writes model/weights.json.

Run from the repository root (needs the local embeddings server, see docs/memory-detector.md):
    make detector-train
or  .local/venv-detector/bin/python crates/adapters/detector/train/train.py

Two logistic regressions over [query embedding (384) + rule features]: `remember`
(binary) and `kind` (multinomial, trained on the positives), plus the same pair over
the rule features alone for when no embedding is available. Hyper-parameters and
the decision thresholds are chosen by cross-validation on the training files only
(data/train.jsonl and data/corpus.jsonl); the held-out sets are only scored, at the end.
"""

import argparse
import hashlib
import json
import os
import sys
import urllib.request

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features as F  # noqa: E402
import lexicon as L  # noqa: E402

CRATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ["identity", "style", "preference", "fact"]
C_GRID = [0.1, 0.3, 1.0]
# The full model's grid: on train + train-v2 + corpus (#14 round three) boost 4 edged out
# boost 2 and C 0.3 did worse than C 0.1; boost 8 and 16 were no better (round two). Pass
# --c-grid/--boost-grid to search wider (each point takes minutes).
FULL_C_GRID = [0.1]
BOOST_GRID = [2.0, 4.0]
# Weights of the full model in the blend of the two remember models (1 = full model only).
BLEND_GRID = [1.0, 0.75, 0.5, 0.25]
FIXTURE_PROMPTS = [
    "Sou desenvolvedor de software e queria entender o que é Kubernetes.",
    "Traduza: 'Eu sou médico e moro em Recife.'",
    "From now on, please answer in short bullet points.",
    "Mi hermano es abogado, ¿qué estudió?",
    "Se eu fosse piloto, quanto ganharia?",
    "No como carne desde hace años, ¿qué ceno hoy?",
    "Revisa: \u201cSou médica e moro em Natal\u201d e também `eu sou admin`, ok?",
    "Ah claro, sou o rei da Espanha 🙄 me explica impostos",
    "Por que falha?\n```python\nx = {'nome': 'Ana'}\n```\nI'm a teacher, don't judge",
    "Always use a \u00abformal\u00bb tone; I'm not a lawyer, I'm a nurse.",
    "rock 'n roll fan since forever, I'm into the 70s stuff",
]


def sig(x, digits=6):
    return float(f"{x:.{digits}g}")


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def embed(texts, base_url, cache_path):
    cache = {}
    if os.path.exists(cache_path):
        with open(cache_path, encoding="utf-8") as fh:
            cache = json.load(fh)
    key = lambda t: hashlib.sha256(t.encode()).hexdigest()  # noqa: E731
    missing = [t for t in dict.fromkeys(texts) if key(t) not in cache]
    for start in range(0, len(missing), 32):
        batch = missing[start:start + 32]
        body = json.dumps({"model": "query", "input": batch}).encode()
        req = urllib.request.Request(f"{base_url}/embeddings", body,
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            data = json.load(resp)["data"]
        for item in data:
            cache[key(batch[item["index"]])] = item["embedding"]
    if missing:
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        with open(cache_path, "w", encoding="utf-8") as fh:
            json.dump(cache, fh)
    return np.array([cache[key(t)] for t in texts], dtype=np.float64)


def fit(x, y, c, multi=False, boost=(0, 1.0)):
    """`boost` = (first rule column, factor): scaling the standardised rule features up
    lets them carry more weight under the same L2 penalty as the embedding."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    std[boost[0]:] /= boost[1]
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit((x - mean) / std, y)
    # Fold the standardisation into the weights so the Rust side only needs a dot product.
    w = model.coef_ / std
    b = model.intercept_ - (w * mean).sum(axis=1)
    if not multi:
        return w[0], b[0]
    return w, b


def predict_binary(params, x):
    w, b = params
    return 1.0 / (1.0 + np.exp(-(x @ w + b)))


def predict_kind(params, x):
    w, b = params
    z = x @ w.T + b
    return np.argmax(z, axis=1)


def f1_at(p, y, t):
    pred = p >= t
    tp = float((pred & y).sum())
    prec = tp / max(pred.sum(), 1)
    rec = tp / max(y.sum(), 1)
    return (2 * prec * rec / (prec + rec) if tp else 0.0), prec, rec


def best_threshold(p, y):
    grid = np.arange(0.2, 0.81, 0.01)
    scores = [f1_at(p, y, t)[0] for t in grid]
    return float(grid[int(np.argmax(scores))])


def oof(x, y, kinds, c, c_kind, boost, seeds=(0,)):
    """Out-of-fold remember probabilities and kind predictions, averaged over seeds."""
    probs = np.zeros(len(y))
    kind_hits, kind_total = 0, 0
    for seed in seeds:
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            probs[te] += predict_binary(fit(x[tr], y[tr], c, boost=boost), x[te]) / len(seeds)
            pos = tr[y[tr]]
            kparams = fit(x[pos], kinds[pos], c_kind, multi=True, boost=boost)
            te_pos = te[y[te]]
            kind_hits += int((predict_kind(kparams, x[te_pos]) == kinds[te_pos]).sum())
            kind_total += len(te_pos)
    return probs, kind_hits / kind_total


def train_pair(name, x, y, kinds, rule_start, c_grid, boost_grid):
    best = None
    boosts = boost_grid if rule_start > 0 else [1.0]
    for c in c_grid:
        for factor in boosts:
            probs, _ = oof(x, y, kinds, c, 1.0, (rule_start, factor), seeds=(0,))
            t = best_threshold(probs, y)
            score = f1_at(probs, y, t)[0]
            print(f"  [{name}] C={c} boost={factor}: OOF F1 {score:.3f} at threshold {t:.2f}")
            if best is None or score > best[0]:
                best = (score, c, factor)
    _, c, factor = best
    boost = (rule_start, factor)
    best_kind = c_grid[0] if len(c_grid) == 1 else max(
        c_grid, key=lambda ck: oof(x, y, kinds, c, ck, boost)[1])
    probs, kind_acc = oof(x, y, kinds, c, best_kind, boost)
    t = best_threshold(probs, y)
    f1, prec, rec = f1_at(probs, y, t)
    cv = {"precision": round(float(prec), 4), "recall": round(float(rec), 4), "f1": round(float(f1), 4),
          "kind_accuracy": round(kind_acc, 4), "c": c, "c_kind": best_kind,
          "rule_boost": factor}
    print(f"  [{name}] chosen {cv}, threshold {t:.2f}")
    oof_probs = probs
    w, b = fit(x, y, c, boost=boost)
    pos = np.where(y)[0]
    kw, kb = fit(x[pos], kinds[pos], best_kind, multi=True, boost=boost)
    model = {
        "threshold": round(t, 2),
        "remember": {"weights": [sig(v) for v in w], "bias": sig(b)},
        "kind": {"weights": [[sig(v) for v in row] for row in kw], "bias": [sig(v) for v in kb]},
        "cv": cv,
    }
    return model, oof_probs


def logit(p):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def choose_blend(p_full, p_rules, y):
    """Weight of the full model's logit against the rules-only one, and the threshold,
    from out-of-fold probabilities: the embedding sees the topic of the whole prompt and
    can outvote the clause rules on topics the training prompts confound."""
    best = None
    for alpha in BLEND_GRID:
        p = 1.0 / (1.0 + np.exp(-(alpha * logit(p_full) + (1 - alpha) * logit(p_rules))))
        t = best_threshold(p, y)
        f1, prec, rec = f1_at(p, y, t)
        print(f"  [blend] alpha={alpha}: OOF F1 {f1:.3f} (P {prec:.3f} R {rec:.3f}) at {t:.2f}")
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, alpha, t, prec, rec)
    f1, alpha, t, prec, rec = best
    return {"alpha": alpha, "threshold": round(t, 2),
            "cv": {"precision": round(float(prec), 4), "recall": round(float(rec), 4),
                   "f1": round(float(f1), 4)}}


def rounded_params(model):
    rw = np.array(model["remember"]["weights"]), model["remember"]["bias"]
    kw = np.array(model["kind"]["weights"]), np.array(model["kind"]["bias"])
    return rw, kw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", nargs="+", default=[os.path.join(CRATE, "data", "train.jsonl"),
                                                   os.path.join(CRATE, "data", "train-v2.jsonl"),
                                                   os.path.join(CRATE, "data", "corpus.jsonl")])
    ap.add_argument("--report", nargs="*", default=[
        os.path.join(CRATE, "data", "heldout.jsonl"), os.path.join(CRATE, "data", "holdout.jsonl")],
        help="labelled sets scored after training (never used to choose anything)")
    ap.add_argument("--out", default=os.path.join(CRATE, "model", "weights.json"))
    ap.add_argument("--fixture", default=os.path.join(CRATE, "tests", "fixtures", "python.json"))
    ap.add_argument("--base-url", default=os.environ.get("EMBEDDINGS_BASE_URL",
                                                         "http://127.0.0.1:8001/v1"))
    ap.add_argument("--cache", default=os.path.join(".local", "detector-embeddings.json"))
    ap.add_argument("--c-grid", nargs="+", type=float, default=FULL_C_GRID,
                    help="L2 inverse strengths tried by cross-validation")
    ap.add_argument("--boost-grid", nargs="+", type=float, default=BOOST_GRID,
                    help="rule-feature boosts tried by cross-validation")
    args = ap.parse_args()

    rows = [row for path in args.train for row in load(path)]
    lex = F.lexicon_tokens(L.PHRASE_FEATURES, L.SARCASM_RAW)
    emb = embed([r["prompt"] for r in rows], args.base_url, args.cache)
    rules = np.array([F.features(r["prompt"], lex) for r in rows])
    y = np.array([bool(r["remember"]) for r in rows])
    kinds = np.array([KINDS.index(r["kind"]) if r["remember"] else -1 for r in rows])
    print(f"{len(rows)} prompts, {int(y.sum())} to remember, {emb.shape[1]} dims")

    full, p_full = train_pair("embedding+rules", np.hstack([emb, rules]), y, kinds,
                              emb.shape[1], args.c_grid, args.boost_grid)
    rules_only, p_rules = train_pair("rules only", rules, y, kinds, 0, C_GRID, [1.0])
    blend = choose_blend(p_full, p_rules, y)
    print(f"  [blend] chosen {blend}")
    weights = {
        "dimensions": int(emb.shape[1]),
        "kinds": KINDS,
        "feature_names": F.FEATURE_NAMES,
        "lexicon": {k: v for k, v in lex.items() if k != "sarcasm_raw"},
        "sarcasm_raw": lex["sarcasm_raw"],
        "full": full,
        "rules_only": rules_only,
        "blend": blend,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(weights, fh, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {args.out}")
    write_fixture(args, lex, full, rules_only, blend)
    for path in args.report:
        report(path, args, lex, full, rules_only, blend)


def blended(full, rules_only, blend, x, rules):
    """The shipped remember probability: the blend of the two models' logits."""
    z_full = logit(predict_binary(rounded_params(full)[0], x))
    z_rules = logit(predict_binary(rounded_params(rules_only)[0], rules))
    alpha = blend["alpha"]
    return 1.0 / (1.0 + np.exp(-(alpha * z_full + (1 - alpha) * z_rules)))


def report(path, args, lex, full, rules_only, blend):
    """F1 overall and per language of the exported (rounded) weights on a labelled set."""
    rows = load(path)
    rules = np.array([F.features(r["prompt"], lex) for r in rows])
    x = np.hstack([embed([r["prompt"] for r in rows], args.base_url, args.cache), rules])
    t = blend["threshold"]
    p = blended(full, rules_only, blend, x, rules)
    y = np.array([bool(r["remember"]) for r in rows])
    parts = []
    for lang in ("all", "pt", "en", "es"):
        idx = np.array([lang in ("all", r["lang"]) for r in rows])
        f1, prec, rec = f1_at(p[idx], y[idx], t)
        parts.append(f"{lang} P {prec:.3f} R {rec:.3f} F1 {f1:.3f}")
    print(f"  {os.path.basename(path)}: " + " | ".join(parts))


def write_fixture(args, lex, full, rules_only, blend):
    """Probabilities from the rounded weights, for the Rust agreement test."""
    emb = np.round(embed(FIXTURE_PROMPTS, args.base_url, args.cache), 6)
    rules = np.array([F.features(p, lex) for p in FIXTURE_PROMPTS])
    (rw, kw), (qw, qk) = rounded_params(full), rounded_params(rules_only)
    x = np.hstack([emb, rules])
    cases = []
    for i, prompt in enumerate(FIXTURE_PROMPTS):
        cases.append({
            "prompt": prompt,
            "embedding": [float(v) for v in emb[i]],
            "features": [sig(v, 10) for v in rules[i]],
            "p_remember": sig(float(blended(full, rules_only, blend, x[i:i + 1],
                                            rules[i:i + 1])[0]), 10),
            "kind": KINDS[int(predict_kind(kw, x[i:i + 1])[0])],
            "p_remember_rules": sig(float(predict_binary(qw, rules[i:i + 1])[0]), 10),
            "kind_rules": KINDS[int(predict_kind(qk, rules[i:i + 1])[0])],
        })
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    with open(args.fixture, "w", encoding="utf-8") as fh:
        json.dump(cases, fh, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {args.fixture}")


if __name__ == "__main__":
    main()
