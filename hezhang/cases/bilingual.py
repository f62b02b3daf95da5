"""Rows that carry their own English (a state's label, a category's name): which text to show in a request.

The interface's strings go through the translation catalogue; these are data, edited by office staff, so each row
holds both texts and this picks one by the active language.
"""

from django.utils import translation


def in_active_language(chinese: str, english: str) -> str:
    """The English text when English is active and the row has one; the Chinese text otherwise."""
    if english and (translation.get_language() or "").startswith("en"):
        return english
    return chinese
