"""A tiny module for autodoc."""


def greet(name: str, times: int = 1) -> str:
    """Say hello to *name* politely.

    :param name: who to greet
    :param times: how often to greet
    :returns: the greeting text
    """
    return "hi " * times + name


class Box:
    """A box of things."""

    def open(self, force: bool = False) -> None:
        """Open the box, by *force* if need be."""
