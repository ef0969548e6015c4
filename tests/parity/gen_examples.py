"""Expected output of the model-writing examples: runs the PyTorch twins
examples/{sequential,model,lenet,losses}.py with torch 1.13.1 and stores what
they print in tests/parity/data/example_<name>.txt; the CTest tests
example_<name>_matches_pytorch diff the C programs' output against it.
Run with /usr/bin/python3."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
examples = os.path.join(here, "..", "..", "examples")
for name in ("sequential", "model", "lenet", "losses"):
    out = subprocess.run([sys.executable, os.path.join(examples, name + ".py")], check=True,
                         capture_output=True, text=True).stdout
    path = os.path.join(here, "data", f"example_{name}.txt")
    with open(path, "w") as f:
        f.write(out)
    print(path)
