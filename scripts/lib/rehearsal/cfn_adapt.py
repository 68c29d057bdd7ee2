#!/usr/bin/env python3
"""Adapts a CloudFormation template to what the emulator (moto) deploys, and says what it changed.

Resources whose type moto's CloudFormation does not implement are taken out of the
template and listed; scripts/rehearse creates the one the release path relies on (the
GitHub OIDC provider) through the API under the same URL. A Ref or Fn::GetAtt that moto cannot resolve becomes
the string "emulated:<LogicalId>[.<Attribute>]", so that the outputs stay.

Usage: cfn_adapt.py TEMPLATE OUT_TEMPLATE OUT_REPORT_JSON
Needs the image's Python (moto, PyYAML). Prints one line per change.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cfn_yaml  # noqa: E402 (scripts/lib/cfn_yaml.py)
from moto.cloudformation.parsing import get_model_map


PORTS = {"postgres": 5432, "redis": 6379}


def adapt(template):
    models = get_model_map()
    resources = template.get("Resources", {})
    dropped = {name: spec["Type"] for name, spec in resources.items() if spec["Type"] not in models}
    for name in dropped:
        del resources[name]
    placeholders = []

    def unresolvable(name, attribute):
        model = models.get(resources.get(name, {}).get("Type"))
        # moto validates the attribute's first part too (Endpoint of Endpoint.Address).
        return name in dropped or (model is not None and not (
            model.has_cfn_attr(attribute) and model.has_cfn_attr(attribute.split(".")[0])))

    def placeholder(name, attribute):
        placeholders.append(f"{name}.{attribute}")
        if attribute.endswith("Port"):
            # A port stays a number: the resource's own, or the engine's default.
            properties = resources.get(name, {}).get("Properties", {})
            return str(properties.get("Port", PORTS.get(properties.get("Engine"), 0)))
        return f"emulated:{name}.{attribute}"

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and node["Ref"] in dropped:
            placeholders.append(node["Ref"])
            return f"emulated:{node['Ref']}"
        if set(node) == {"Fn::GetAtt"}:
            name, attribute = node["Fn::GetAtt"]
            if unresolvable(name, attribute):
                return placeholder(name, attribute)
        if set(node) == {"Fn::Sub"}:
            text, variables = (node["Fn::Sub"], None) if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"]

            def substitute(match):
                name, attribute = match.group(1), match.group(2)
                if attribute is None and name in dropped:
                    placeholders.append(name)
                    return f"emulated:{name}"
                if attribute is not None and unresolvable(name, attribute):
                    return placeholder(name, attribute)
                return match.group(0)
            text = re.sub(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}", substitute, text)
            return {"Fn::Sub": text if variables is None else [text, walk(variables)]}
        return {key: walk(value) for key, value in node.items()}

    template["Resources"] = walk(resources)
    template["Outputs"] = walk(template.get("Outputs", {}))
    for resource in template["Resources"].values():
        resource["DependsOn"] = [d for d in as_list(resource.get("DependsOn")) if d not in dropped] or None
        if resource["DependsOn"] is None:
            del resource["DependsOn"]
    return template, dropped, sorted(set(placeholders))


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if len(argv) > 1 and argv[1] == "--help" else 2
    source, out_template, out_report = argv[1:]
    with open(source) as handle:
        template = cfn_yaml.load(handle.read())
    original = json.loads(json.dumps(template.get("Resources", {})))
    template, dropped, placeholders = adapt(template)
    with open(out_template, "w") as handle:
        json.dump(template, handle, indent=1)
    with open(out_report, "w") as handle:
        json.dump({"dropped": {name: {"Type": kind, "Properties": original[name].get("Properties", {})}
                               for name, kind in dropped.items()},
                   "placeholders": placeholders}, handle, indent=1)
    for name, kind in sorted(dropped.items()):
        print(f"not in the emulator's CloudFormation: {name} ({kind})")
    for name in placeholders:
        print(f"unresolvable in the emulator, a placeholder: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
