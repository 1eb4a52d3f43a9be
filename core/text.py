import markdown
import nh3


def render_markdown(text: str) -> str:
    """An editor's Markdown as HTML, keeping only safe tags."""
    return nh3.clean(markdown.markdown(text or ""))
