"""Which environment variables the Swift programs read, found in their source text (no build).

Every setting is read through EnvironmentReader (Sources/Settings/EnvironmentReader.swift),
so a read is a call of one of its methods. The name is usually a string literal,
`env.integer("MAX_DELIVERIES", default: 5, in: 1...1000)`; where it is not, the argument is resolved:
a loop variable over an array of literals (`for variable in ["A", "B"] where env.optional(variable)`),
or a property holding a literal (`env.port(Program.portVariable, …)` with `static let portVariable =
"HTTP_PORT"`). An argument that cannot be resolved is reported, so no read goes unseen. Direct reads
(`getenv("X")`, `ProcessInfo.processInfo.environment["X"]`) count too.
"""

import re
from dataclasses import dataclass
from pathlib import Path

READER_SOURCE = Path(__file__).resolve().parents[2] / "Sources/Settings/EnvironmentReader.swift"


def reader_methods(source: str) -> tuple:
    """The methods of EnvironmentReader that read a variable: those whose first parameter is `_ name: String`.
    Taken from its source, so a reader method added later is checked too."""
    return tuple(re.findall(r"\bpublic\s+func\s+(\w+)[^(]*\(\s*_\s+name\s*:\s*String\b", source))


READER_METHODS = reader_methods(READER_SOURCE.read_text())
_NAME = r"[A-Z][A-Z0-9_]*"
_CALL = re.compile(r"\b(\w+)\s*\.\s*(" + "|".join(READER_METHODS) + r")\s*\(\s*([^,)]*?)\s*[,)]")
_LITERAL = re.compile(r'^"(' + _NAME + r')"$')
_DIRECT = re.compile(r'(?:\bgetenv\s*\(\s*|\benvironment\s*\[\s*)"(' + _NAME + r')"')
_READER_NAMES = (
    re.compile(r"\b(\w+)\s*:\s*EnvironmentReader\b"),  # a parameter or property of the type
    re.compile(r"\b(\w+)\s*=\s*EnvironmentReader\s*\("),  # a local made from the process environment
    re.compile(r"\bloadConfiguration\s*\{\s*(\w+)"),  # the closure loadConfiguration hands the reader to
)
_DEFAULT = re.compile(r"\bdefault:\s*([^,)]+)")
_RANGE = re.compile(r"\bin:\s*([\d_]+)\s*\.\.\.\s*([\w_.]+)")


@dataclass(frozen=True)
class Read:
    variable: str
    file: str
    line: int
    default: str = ""
    range: str = ""


def strip_comments(source: str) -> str:
    """The source with // and /* */ comments blanked (line numbers kept); string literals untouched."""
    out, i, n = [], 0, len(source)
    while i < n:
        if source.startswith('"""', i):
            end = source.find('"""', i + 3)
            end = n if end < 0 else end + 3
        elif source[i] == '"':
            end = i + 1
            while end < n and source[end] not in '"\n':
                end += 2 if source[end] == "\\" else 1
            end += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
            continue
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", source[i:end]))
            i = end
            continue
        else:
            end = i + 1
        out.append(source[i:end])
        i = end
    return "".join(out)


def reader_names(source: str) -> set:
    """Names under which a file holds an EnvironmentReader (`env` everywhere today)."""
    return {"env"} | {name for pattern in _READER_NAMES for name in pattern.findall(source)}


def string_properties(sources: dict) -> dict:
    """property name -> the literals assigned to it anywhere (`let x = "A"`, `var x: String { "A" }`)."""
    found = {}
    pattern = re.compile(r"\b(?:let|var)\s+(\w+)\s*(?::\s*String\s*)?(?:=\s*|\{\s*)\"(" + _NAME + r')"')
    for source in sources.values():
        for name, value in pattern.findall(source):
            found.setdefault(name, set()).add(value)
    return found


def _loop_literals(source: str, variable: str) -> list:
    match = re.search(r"\bfor\s+" + re.escape(variable) + r"\s+in\s+\[([^\]]*)\]", source)
    return re.findall(r'"(' + _NAME + r')"', match.group(1)) if match else []


def _call_details(source: str, start: int) -> tuple:
    """default and range of the call starting at `start`, as written (for the row a message suggests)."""
    depth, end = 0, start
    while end < len(source):
        depth += {"(": 1, ")": -1}.get(source[end], 0)
        if depth == 0 and source[end] == ")":
            break
        end += 1
    arguments = source[start:end]
    default = _DEFAULT.search(arguments)
    literal = default and re.fullmatch(r'[\d_]+|"[^"]*"|true|false', default.group(1).strip())
    bounds = _RANGE.search(arguments)
    return (literal.group(0).strip('"').replace("_", "") if literal else "",
            f"{bounds.group(1)}–{bounds.group(2)}".replace("_", "") if bounds else "")


def scan(sources: dict) -> tuple:
    """(reads, unresolved) over {file name: Swift source}; unresolved are 'file:line: call' strings."""
    cleaned = {name: strip_comments(text) for name, text in sources.items()}
    properties = string_properties(cleaned)
    reads, unresolved = [], []
    for name, source in sorted(cleaned.items()):
        receivers = reader_names(source)
        for match in _CALL.finditer(source):
            if match.group(1) not in receivers:
                continue
            line = source.count("\n", 0, match.start()) + 1
            argument = match.group(3)
            literal = _LITERAL.match(argument)
            if literal:
                variables = [literal.group(1)]
            else:
                variables = _loop_literals(source, argument) or sorted(properties.get(argument.split(".")[-1], ()))
            if not variables:
                unresolved.append(f"{name}:{line}: {match.group(0).rstrip(',)')}")
            default, bounds = _call_details(source, match.end(2))
            bounds = "1–65535" if match.group(2) == "port" else bounds
            reads += [Read(variable, name, line, default, bounds) for variable in variables]
        for match in _DIRECT.finditer(source):
            reads.append(Read(match.group(1), name, source.count("\n", 0, match.start()) + 1))
    return reads, unresolved


def scan_tree(root: Path, folder: str = "Sources") -> tuple:
    files = sorted((root / folder).rglob("*.swift"))
    return scan({str(path.relative_to(root)): path.read_text(encoding="utf-8") for path in files})
