"""Two Lightning nodes simulated on this machine: the same records as one process.

Each node is its own ``harness run`` process (one device each, ``--num-nodes 2``), started as
a cluster scheduler would start it: Lightning's default ``LightningEnvironment`` takes
``MASTER_ADDR``/``MASTER_PORT`` for the rendezvous, ``NODE_RANK`` for the node and, because
``LOCAL_RANK`` is set, launches no processes of its own (global rank = node rank x devices +
local rank; world size = nodes x devices). The nodes share the output folder, as nodes share
a file system, but each has its own node-local cache.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

# variables that make Lightning pick another cluster environment (TorchElastic, SLURM, LSF,
# MPI) or override the ranks, if the test itself runs under such a scheduler
_CLUSTER_PREFIXES = ("SLURM_", "TORCHELASTIC_", "LSB_", "OMPI_", "PMI_", "PMIX_")
_CLUSTER_NAMES = (
    "WORLD_SIZE", "RANK", "LOCAL_WORLD_SIZE", "GROUP_RANK", "ROLE_RANK", "JSM_NAMESPACE_RANK",
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _node_env(node: int, port: int, cache: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_CLUSTER_PREFIXES) and k not in _CLUSTER_NAMES
    }
    env.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        NODE_RANK=str(node),
        LOCAL_RANK="0",  # set: the scheduler (here, this test) started every process
        HARNESS_CACHE=str(cache),
    )
    return env


def _trained(stderr: str) -> list[str]:
    """'  trained mnli on 64 features in 1.2s: 4 optimizer steps, ...' minus the wall time."""
    return [line.split(" in ")[0] + line.split("s:", 1)[1] for line in stderr.splitlines()
            if line.startswith("  trained ")]  # fmt: skip


def test_two_nodes_give_the_records_of_one_process(tiny_model_no_dropout, tmp_path, harness_cli):
    from safetensors.torch import load_file

    common = [
        "run", "--model", str(tiny_model_no_dropout), "--intermediate", "mnli",
        "--targets", "xnli", "--languages", "en", "--max-train-examples", "64",
        "--batch-size", "16", "--epochs", "1", "--learning-rate", "1e-3",
        "--accelerator", "cpu", "--devices", "1", "--output", "out", "--no-progress",
    ]  # fmt: skip
    node_args = ["--num-nodes", "2", "--strategy", "ddp", "--run-id", "nodes"]
    port = _free_port()
    nodes = [
        subprocess.Popen(
            [sys.executable, "-m", "harness.cli", *common, *node_args],
            env=_node_env(rank, port, tmp_path / f"node{rank}-cache"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rank in (0, 1)
    ]
    try:
        outputs = [node.communicate(timeout=300) for node in nodes]
    finally:
        for node in nodes:  # one node failing leaves the other waiting at the rendezvous
            if node.poll() is None:
                node.kill()
                node.wait()
    for rank, (node, (_, err)) in enumerate(zip(nodes, outputs, strict=True)):
        assert node.returncode == 0, (rank, err[-3000:])
    single = harness_cli(*common, "--run-id", "one")
    assert single.returncode == 0, single.stderr[-3000:]

    # node 0 reports; node 1 trains silently
    node0, node1 = (err for _, err in outputs)
    assert not _trained(node1) and "results:" not in node1, node1[-3000:]
    one, two = _trained(single.stderr), _trained(node0)
    layout_one = "global batch 16 = 1 device x 16 x 1 accumulation"
    layout_two = "global batch 16 = 2 devices x 8 x 1 accumulation"
    assert one == [
        f"  trained {task} on 64 features 4 optimizer steps, {layout_one}; "
        "learning rate 0.001, 0 warm-up of 4 steps"
        for task in ("mnli", "xnli")
    ], single.stderr[-3000:]
    assert two == [line.replace(layout_one, layout_two) for line in one], node0[-3000:]

    # one run folder, written and locked by node 0 only (at import, Lightning takes LOCAL_RANK=0
    # for the rank on both nodes; the runner must use the rank its Trainer set)
    out = Path("out")
    assert sorted(p.name for p in out.iterdir()) == ["nodes", "one"]
    assert (out / "nodes" / ".lock").read_text().strip() == str(nodes[0].pid)
    manifest = json.loads((out / "nodes" / "run.json").read_text())
    assert manifest["status"] == "finished"
    assert manifest["config"]["trainer"]["num_nodes"] == 2
    for run, world, per_device in (("one", 1, 16), ("nodes", 2, 8)):
        layout = {"global_batch": 16, "per_device_batch": per_device, "accumulation": 1,
                  "world_size": world, "protocol_batch": 16}  # fmt: skip
        manifest = json.loads((out / run / "run.json").read_text())
        assert manifest["config"]["batch"] == {"mnli": layout, "xnli": layout}
        records = json.loads((out / run / "results.json").read_text())["records"]
        assert records and all(r["batch"] == layout for r in records)

    # the same weights to float rounding (no dropout; DDP averages two means of 8) ...
    a = load_file(str(out / "one/checkpoints/mnli-seed0/model.safetensors"))
    b = load_file(str(out / "nodes/checkpoints/mnli-seed0/model.safetensors"))
    start = load_file(str(tiny_model_no_dropout / "model.safetensors"))
    moved = max((a[k] - start[k]).abs().max().item() for k in a if k in start)
    drift = max((a[k] - b[k]).abs().max().item() for k in a)
    assert moved > 1e-3 and drift < 1e-2 * moved, (moved, drift)
    # ... so the same records: every example scored once, the same values
    scores = {
        run: {
            (r["target"], r["split"], r["metric"]): (r["value"], r["n_examples"])
            for r in json.loads((out / run / "results.json").read_text())["records"]
        }
        for run in ("one", "nodes")
    }
    assert scores["one"].keys() == scores["nodes"].keys()
    for key, (value, n) in scores["one"].items():  # identical in our runs; a near-tie may flip
        assert scores["nodes"][key][1] == n, key
        assert abs(value - scores["nodes"][key][0]) <= 100 / n + 1e-9, key
