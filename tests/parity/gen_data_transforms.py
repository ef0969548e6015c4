"""torchvision 0.14 transforms on tensors for tests/data/test_transforms.c.
Run with /usr/bin/python3; writes data/data_transforms.txt."""
import os

import numpy as np
import torch
import torchvision.transforms as T

out = []


def case(name, **kv):
    out.append(f"case {name}")
    for k, v in kv.items():
        if isinstance(v, torch.Tensor):
            if v.dtype == torch.float32:
                out.append(f"{k} " + " ".join("%08x" % x for x in v.contiguous().view(torch.int32).flatten().tolist()))
                out.append(f"{k}_shape " + " ".join(str(s) for s in v.shape))
            else:
                out.append(f"{k} " + " ".join(str(int(x)) for x in v.flatten().tolist()))
                out.append(f"{k}_shape " + " ".join(str(s) for s in v.shape))
        else:
            out.append(f"{k} {v}")
    out.append("end")


img = (torch.arange(5 * 7 * 3) * 37 % 256).to(torch.uint8).view(5, 7, 3)  # HWC
case("to_tensor_hwc", x=img, y=T.ToTensor()(img.numpy()))
case("to_tensor_hw", x=img[:, :, 0].contiguous(), y=T.ToTensor()(img[:, :, 0].numpy()))
x = T.ToTensor()(img.numpy())
case("normalize", y=T.Normalize((0.5, 0.25, 0.1), (0.2, 0.3, 0.4))(x))
for seed in range(4):
    torch.manual_seed(seed)
    case(f"hflip_{seed}", seed=seed, y=T.RandomHorizontalFlip(0.5)(x), after=int(torch.randint(0, 1 << 30, (1,))))
for (h, w) in ((3, 4), (5, 7), (8, 9), (2, 2)):
    case(f"center_{h}_{w}", h=h, w=w, y=T.CenterCrop((h, w))(x))
for seed in range(3):
    for name, kw in (("plain", {}), ("pad2", dict(padding=2)), ("pad_fill", dict(padding=(1, 2), fill=0.5)),
                     ("reflect", dict(padding=(1, 2, 3, 0), padding_mode="reflect")),
                     ("edge_needed", dict(pad_if_needed=True, padding_mode="edge"))):
        size = (6, 9) if name == "edge_needed" else (4, 5)
        torch.manual_seed(seed)
        y = T.RandomCrop(size, **kw)(x)
        case(f"crop_{name}_{seed}", seed=seed, y=y, after=int(torch.randint(0, 1 << 30, (1,))))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "data_transforms.txt")
with open(path, "w") as f:
    f.write("# torchvision transforms vectors (gen_data_transforms.py)\n" + "\n".join(out) + "\n")
print(path, len([l for l in out if l.startswith("case")]))
