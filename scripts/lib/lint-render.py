#!/usr/bin/env python3
"""Render a host template (systemd/, nginx/) the way the Ansible roles do, so that
static checks run on the real output: depot_lifecycle from lifecycle.env plus the
roles' defaults (themselves rendered, as Ansible does lazily)."""
import argparse
import pathlib

import jinja2
import yaml


def lifecycle(path):
    values = {}
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifecycle", required=True)
    parser.add_argument("--defaults", action="append", default=[])
    parser.add_argument("--set", action="append", default=[], help="name=value overrides")
    parser.add_argument("template")
    parser.add_argument("output")
    args = parser.parse_args()

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    context = {"depot_lifecycle": lifecycle(args.lifecycle)}
    raw = {}
    for path in args.defaults:
        raw.update(yaml.safe_load(pathlib.Path(path).read_text()) or {})
    raw.update(dict(item.split("=", 1) for item in args.set))
    for key in context:
        raw.pop(key, None)  # depot_lifecycle comes from lifecycle.env itself
    # Defaults may refer to each other: render until nothing changes. A default
    # that needs Ansible itself (lookups, facts, its own filters) is left out; a
    # template that uses one fails on it as undefined.
    for _ in range(5):
        rendered = {}
        for key, value in raw.items():
            try:
                rendered[key] = env.from_string(value).render(**context, **raw) if isinstance(value, str) else value
            except jinja2.TemplateError:
                continue
        if rendered == raw:
            break
        raw = rendered
    context.update(raw)
    text = env.from_string(pathlib.Path(args.template).read_text()).render(**context)
    pathlib.Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
