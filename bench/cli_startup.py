"""Start-up time of commands that train nothing, side by side in one run.

Each command runs in a fresh interpreter ``--rounds`` times, round-robin (so a busy moment
of the machine hits every command alike); the median wall time is reported, with the ratio
to ``python -c "import harness"`` and to a bare interpreter. It also says whether each
command imported torch or Lightning (``python -X importtime``), the imports that dominate.

    python bench/cli_startup.py --rounds 5

Run it on a quiet machine: nothing else using the CPUs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python (bare)": [sys.executable, "-c", "pass"],
    "import harness": [sys.executable, "-c", "import harness"],
    "harness --help": [sys.executable, "-m", "harness.cli", "--help"],
    "harness list": [sys.executable, "-m", "harness.cli", "list"],
    "harness plugins": [sys.executable, "-m", "harness.cli", "plugins"],
}


def _heavy_imports(command: list[str]) -> list[str]:
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return [m for m in ("torch", "lightning", "datasets", "transformers") if m in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True)
            times[name].append(time.perf_counter() - started)
            if done.returncode != 0:
                sys.exit(f"{name} failed: {done.stderr.decode()[-500:]}")
    base = statistics.median(times["import harness"])
    print(f"{'command':<18} {'median s':>9} {'x import harness':>17}  heavy imports")
    for name, command in COMMANDS.items():
        median = statistics.median(times[name])
        heavy = ", ".join(_heavy_imports(command)) or "none"
        print(f"{name:<18} {median:>9.2f} {median / base:>17.2f}  {heavy}")


if __name__ == "__main__":
    main()
