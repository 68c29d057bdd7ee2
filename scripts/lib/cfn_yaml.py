"""Reads CloudFormation YAML: every short-form tag (!Ref, !Sub, ...) becomes its long form
({"Ref": ...}, {"Fn::Sub": ...}); !GetAtt "A.B" becomes ["A", "B"]. Shared by the scripts that
read infra/'s templates."""
import yaml


class CfnLoader(yaml.SafeLoader):
    """A SafeLoader that knows CloudFormation's short-form tags."""


def _cfn_tag(loader, tag_suffix, node):
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def load(text):
    """The template in TEXT as plain data."""
    return yaml.load(text, Loader=CfnLoader)
