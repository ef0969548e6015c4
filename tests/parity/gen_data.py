"""Parity vectors for the data pipeline (tests/data/test_data.c): DataLoader
shuffle order after a seed, samplers, random_split, with torch 1.13.1.
Run with /usr/bin/python3; writes data/data.txt."""
import os
import warnings

import torch
from torch.utils.data import (BatchSampler, DataLoader, RandomSampler, SubsetRandomSampler, TensorDataset,
                              WeightedRandomSampler, random_split)

out = []


def case(name, **kv):
    out.append(f"case {name}")
    for k, v in kv.items():
        if isinstance(v, (list, tuple)):
            out.append(f"{k} " + " ".join(str(int(x)) if not isinstance(x, float) else x.hex() for x in v))
        elif isinstance(v, float):
            out.append(f"{k} {v.hex()}")
        else:
            out.append(f"{k} {v}")
    out.append("end")


def after():
    # where the default generator stands afterwards
    return int(torch.randint(0, 1 << 30, (1,)).item())


# DataLoader(shuffle=True): base seed + RandomSampler's seed from the default generator
for seed in (0, 42, 12345):
    for n, bs, drop in ((10, 1, False), (10, 3, False), (10, 3, True), (37, 8, False), (100, 16, True)):
        torch.manual_seed(seed)
        ds = TensorDataset(torch.arange(n))
        dl = DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop)
        epochs = []
        sizes = []
        for ep in range(2):
            for (b,) in dl:
                epochs += b.tolist()
                sizes.append(len(b))
        case(f"loader_s{seed}_n{n}_b{bs}_d{int(drop)}", seed=seed, n=n, bs=bs, drop=int(drop), order=epochs,
             sizes=sizes, len=len(dl), after=after())

# with a user generator
for gseed in (7, 2024):
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(gseed)
    dl = DataLoader(TensorDataset(torch.arange(23)), batch_size=5, shuffle=True, generator=g)
    order = []
    for ep in range(2):
        for (b,) in dl:
            order += b.tolist()
    case(f"loader_gen{gseed}", gseed=gseed, n=23, bs=5, order=order, after=after())

# RandomSampler variants
for seed in (0, 3):
    for n, repl, ns, gen in ((10, False, 25, None), (10, False, 20, None), (10, True, 70, None), (5, True, 3, 11),
                             (1000, False, None, 5), (7, True, None, None)):
        torch.manual_seed(seed)
        g = torch.Generator().manual_seed(gen) if gen is not None else None
        s = RandomSampler(range(n), replacement=repl, num_samples=ns, generator=g)
        idx = list(s) + list(s)
        case(f"random_s{seed}_n{n}_r{int(repl)}_ns{ns}_g{gen}", seed=seed, n=n, repl=int(repl), ns=ns or 0,
             gen=-1 if gen is None else gen, order=idx, after=after())

# SubsetRandomSampler
for seed in (0, 9):
    torch.manual_seed(seed)
    ind = [3, 14, 15, 92, 65, 35, 89, 79]
    s = SubsetRandomSampler(ind)
    idx = list(s) + list(s)
    case(f"subset_s{seed}", seed=seed, ind=ind, order=idx, after=after())

# WeightedRandomSampler (torch.multinomial)
W = [[0.1, 0.9, 0.4, 0.7, 3.0, 0.6], [0.9, 0.4, 0.05, 0.2, 0.3, 0.1], [1.0] * 50, [0.0, 1.0, 2.0, 0.0, 5.0]]
for seed in (0, 5):
    for wi, w in enumerate(W):
        for repl, ns in ((True, 1), (True, 5), (True, 200), (False, 1), (False, 3), (False, min(len(w), 6))):
            if not repl and ns > sum(1 for x in w if x > 0):
                continue
            torch.manual_seed(seed)
            s = WeightedRandomSampler(w, ns, replacement=repl)
            idx = list(s) + list(s)
            case(f"weighted_s{seed}_w{wi}_r{int(repl)}_ns{ns}", seed=seed, w=[float(x) for x in w], repl=int(repl),
                 ns=ns, order=idx, after=after())

# random_split
for seed in (0, 42):
    for n, lengths, gen in ((10, [3, 7], 42), (30, [0.3, 0.3, 0.4], 42), (11, [0.5, 0.5], None),
                            (7, [0.1, 0.2, 0.7], None), (5, [5, 0], None)):
        torch.manual_seed(seed)
        g = torch.Generator().manual_seed(gen) if gen is not None else torch.default_generator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = random_split(range(n), lengths, generator=g)
        flat = []
        for p in parts:
            flat += list(p.indices)
        case(f"split_s{seed}_n{n}_{len(lengths)}_{gen}", seed=seed, n=n,
             lengths=[float(x) for x in lengths], gen=-1 if gen is None else gen,
             plens=[len(p) for p in parts], idx=flat, after=after())

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "data.txt")
with open(path, "w") as f:
    f.write("# data pipeline vectors from torch %s (gen_data.py)\n" % torch.__version__)
    f.write("\n".join(out) + "\n")
print(path, len([l for l in out if l.startswith("case")]), "cases")
