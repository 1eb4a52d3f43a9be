"""Read a rendered page as a visitor does: headings, lists, links and their text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the text a reader sees, with runs of whitespace made one space."""
        return re.sub(r"\s+", " ", self._raw_text()).strip()

    def _raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw_text() for c in self.children)

    @property
    def spoken_text(self) -> str:
        """Return the text a screen reader reads: what is hidden from it left out."""
        return re.sub(r"\s+", " ", self._spoken()).strip()

    def _spoken(self) -> str:
        return "".join(
            c if isinstance(c, str) else "" if c.attrs.get("aria-hidden") == "true" else c._spoken()
            for c in self.children
        )

    @property
    def visible_text(self) -> str:
        """Return the text on screen: what only a screen reader hears left out."""
        return re.sub(r"\s+", " ", self._visible()).strip()

    def _visible(self) -> str:
        return "".join(
            c if isinstance(c, str) else "" if c.has_class("visually-hidden") else c._visible()
            for c in self.children
        )

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def find_all(self, tag: str, class_: str | None = None, **attrs: str) -> list[Node]:
        """Return every element below this one with that tag, class and attribute values."""
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                child.tag == tag
                and (class_ is None or child.has_class(class_))
                and all(child.attrs.get(name.replace("_", "-")) == v for name, v in attrs.items())
            ):
                found.append(child)
            found.extend(child.find_all(tag, class_, **attrs))
        return found

    def find(self, tag: str, class_: str | None = None, **attrs: str) -> Node:
        """Return the one element that matches, failing the test if there is not exactly one."""
        found = self.find_all(tag, class_, **attrs)
        assert len(found) == 1, (
            f"expected one <{tag}> matching {class_=} {attrs}, found {len(found)}"
        )
        return found[0]

    def section(self, heading: str) -> Node:
        """Return the <section> whose <h2> reads heading."""
        sections = [
            s for s in self.find_all("section") if any(h.text == heading for h in s.find_all("h2"))
        ]
        assert len(sections) == 1, f"expected one section headed {heading!r}, found {len(sections)}"
        return sections[0]

    def headings(self, tag: str = "h2") -> list[str]:
        return [heading.text for heading in self.find_all(tag)]

    def links(self) -> dict[str, str]:
        """Map each link's text to where it points."""
        return {link.text: link.attrs.get("href", "") for link in self.find_all("a")}

    def items(self, tag: str = "li") -> list[str]:
        return [item.text for item in self.find_all(tag)]

    def definitions(self) -> dict[str, str]:
        """Map each <dt> below this element to the text of its <dd>."""
        terms = [term.text for term in self.find_all("dt")]
        details = [detail.text for detail in self.find_all("dd")]
        assert len(terms) == len(details), "every term needs one definition"
        return dict(zip(terms, details, strict=True))


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response_or_html) -> Node:
    """Parse a response (or a string of HTML) into a tree of Nodes."""
    content = getattr(response_or_html, "content", response_or_html)
    if isinstance(content, bytes):
        content = content.decode()
    builder = _TreeBuilder()
    builder.feed(content)
    builder.close()
    return builder.root


def main(response) -> Node:
    """Return the page's <main>, leaving out the header and footer every page shares."""
    return parse(response).find("main")


def form_data(form: Node) -> dict[str, str | list[str]]:
    """Return what a browser would submit for form as it stands, without pressing any button."""
    data: dict[str, list[str]] = {}
    for box in form.find_all("input"):
        name = box.attrs.get("name")
        kind = box.attrs.get("type", "text")
        if not name or "__prefix__" in name or kind in {"submit", "button", "file", "image"}:
            continue
        if kind in {"checkbox", "radio"} and "checked" not in box.attrs:
            continue
        data.setdefault(name, []).append(box.attrs.get("value", "on" if kind == "checkbox" else ""))
    for select in form.find_all("select"):
        name = select.attrs.get("name")
        if not name or "__prefix__" in name:
            continue
        chosen = [
            o.attrs.get("value", o.text) for o in select.find_all("option") if "selected" in o.attrs
        ]
        if not chosen and "multiple" not in select.attrs:
            options = select.find_all("option")
            chosen = [options[0].attrs.get("value", options[0].text)] if options else []
        data.setdefault(name, []).extend(chosen)
    for area in form.find_all("textarea"):
        name = area.attrs.get("name")
        if name and "__prefix__" not in name:
            data.setdefault(name, []).append(area._raw_text().removeprefix("\n"))
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
