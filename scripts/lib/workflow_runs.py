#!/usr/bin/env python3
"""Writes every bash `run:` body of the given GitHub workflows to OUT_DIR, one file each,
so that shellcheck can read them. `${{ ... }}` expressions become underscores of the same
length (as actionlint does): the runner substitutes them before bash sees the script.

Usage: workflow_runs.py OUT_DIR WORKFLOW...
       workflow_runs.py --no-expressions WORKFLOW...
Prints one line per file written: "<file>\t<workflow>:<job>:<step>".
--no-expressions prints every `run:` body that holds a `${{ ... }}` expression and exits 1
if there is one: the runner pastes an expression into the script before the shell parses it,
so a tag name, an input or a step output would run as code. Pass values through `env:`.
"""
import pathlib
import re
import sys

import yaml

EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
BASH_SHELLS = {None, "bash", "sh"}


def placeholder(match):
    return "_" * len(match.group(0))


def run_steps(workflow):
    """Yields (job id, step label, shell, body) for every run step of a parsed workflow."""
    for job_id, job in (workflow.get("jobs") or {}).items():
        job_shell = ((job.get("defaults") or {}).get("run") or {}).get("shell")
        for index, step in enumerate(job.get("steps") or [], start=1):
            if "run" in step:
                label = step.get("id") or step.get("name") or f"step{index}"
                yield job_id, label, step.get("shell", job_shell), step["run"]


def expressions_in_runs(paths):
    """Prints each run body's expressions; returns how many run bodies hold one."""
    found = 0
    for path in paths:
        workflow = yaml.safe_load(pathlib.Path(path).read_text()) or {}
        for job_id, label, _shell, body in run_steps(workflow):
            pasted = EXPRESSION.findall(body)
            if pasted:
                found += 1
                print(f"{path}:{job_id}:{label}: {', '.join(pasted)} in a run: body; pass it through env:")
    return found


def main(argv):
    if len(argv) >= 3 and argv[1] == "--no-expressions":
        return 1 if expressions_in_runs(argv[2:]) else 0
    if len(argv) < 3 or argv[1] == "--help":
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] == "--help" else 2
    out_dir = pathlib.Path(argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in argv[2:]:
        workflow = yaml.safe_load(pathlib.Path(path).read_text()) or {}
        for job_id, label, shell, body in run_steps(workflow):
            if shell not in BASH_SHELLS:
                continue
            count += 1
            target = out_dir / f"{count:03d}-{pathlib.Path(path).stem}-{job_id}.sh"
            # No header line, so shellcheck's line numbers are the body's (run with --shell=bash).
            target.write_text(EXPRESSION.sub(placeholder, body))
            print(f"{target}\t{path}:{job_id}:{label}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
