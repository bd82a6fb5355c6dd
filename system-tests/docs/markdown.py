"""What the link check needs to know about a Markdown page: its anchors and its links.

Only CommonMark basics are handled (ATX headings, inline links and images, reference definitions,
fenced code blocks, inline code), which is all the project's pages use.
"""

import re

_FENCE = re.compile(r"^\s*(?:```|~~~)\s*([\w-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HTML_ID = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def prose_lines(text: str):
    """(line number, line) of every line outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def fenced_blocks(text: str):
    """(line of the first code line, label, code) of each fenced code block; label "" when none."""
    label, start, lines = None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        fence = _FENCE.match(line)
        if fence and label is None:
            label, start, lines = fence.group(1), number + 1, []
        elif fence:
            yield start, label, "\n".join(lines) + "\n"
            label = None
        elif label is not None:
            lines.append(line)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text in lower case, without punctuation other
    than '-' and '_', each space a '-' (spaces are not collapsed)."""
    text = _INLINE_CODE.sub(lambda match: match.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text)
    text = text.lower()
    return "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")


def anchors(text: str) -> set:
    """Every anchor the page has: heading slugs (repeats numbered -1, -2, … as GitHub does) and
    explicit <a name/id> anchors."""
    found = set()
    seen = {}
    for _, line in prose_lines(text):
        found.update(_HTML_ID.findall(line))
        heading = _HEADING.match(line)
        if not heading:
            continue
        base = slug(heading.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def _paragraphs(text: str):
    """(first line number, text) of each run of prose lines, so a link wrapped over two lines is seen whole."""
    start, lines = 0, []
    for number, line in prose_lines(text):
        if lines and (not line.strip() or number != start + len(lines)):
            yield start, "\n".join(lines)
            lines = []
        if line.strip():
            start = number if not lines else start
            lines.append(line)
    if lines:
        yield start, "\n".join(lines)


def links(text: str):
    """(line number, target) of every link, image and reference definition outside code."""
    for start, paragraph in _paragraphs(text):
        for offset, line in enumerate(paragraph.split("\n")):
            reference = _REFERENCE.match(line)
            if reference:
                yield start + offset, reference.group(1)
        prose = _INLINE_CODE.sub(lambda match: " " * len(match.group(0)), paragraph)
        for match in _LINK.finditer(prose):
            yield start + prose.count("\n", 0, match.start()), match.group(1)
