"""Inputs and Outputs tables of each module's README, rendered from variables.tf and outputs.tf.

`python system-tests/terraform/module_docs.py` (in the venv that has python-hcl2) rewrites the part of
every terraform/modules/*/README.md between the markers; test_modules.py checks it is current.
"""

import json
import re
import sys

from hcl_tree import MODULES, Tree

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _type(variable: dict) -> str:
    return re.sub(r"^\$\{(.*)\}$", r"\1", variable["type"])


def _default(variable: dict) -> str:
    if "default" not in variable:
        return "required"
    return f"`{json.dumps(variable['default'])}`"


def render(tree: Tree, module: str) -> str:
    lines = [BEGIN, "## Inputs", "", "| Name | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for name, variable in tree.variables(module).items():
        lines.append(f"| `{name}` | `{_cell(_type(variable))}` | {_cell(_default(variable))} | {_cell(variable['description'])} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "| --- | --- |"]
    for name, output in tree.outputs(module).items():
        sensitive = " (sensitive)" if output.get("sensitive") is True else ""
        lines.append(f"| `{name}` | {_cell(output['description'])}{sensitive} |")
    return "\n".join(lines + [END])


def with_tables(readme: str, tables: str) -> str:
    """The README with its generated part replaced (appended when the markers are missing)."""
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + tables + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + tables + "\n"


def main() -> int:
    tree = Tree()
    for module in MODULES:
        path = tree.modules_dir / module / "README.md"
        path.write_text(with_tables(path.read_text(), render(tree, module)))
        print(f"wrote {path.relative_to(tree.root.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
