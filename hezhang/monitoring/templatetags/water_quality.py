"""Water quality classes in templates: a coloured badge, a parameter's name, a value from a sample's values."""

from collections.abc import Mapping

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hezhang.monitoring.overview import class_colour, class_name
from hezhang.monitoring.parameters import label

register = template.Library()

# Dark text on the light colours, white on the dark ones, so every badge stays readable.
_DARK_TEXT = {1, 4}


@register.filter
def wq_badge(value):
    """<span class="wq c3">III</span> for class 3; a dash for none."""
    if not value:
        return mark_safe('<span class="wq none">—</span>')
    colour = "#1b1b1b" if value in _DARK_TEXT else "#fff"
    return format_html(
        '<span class="wq c{}" style="background:{};color:{}">{}</span>',
        value,
        class_colour(value),
        colour,
        class_name(value),
    )


@register.filter
def wq_name(value):
    return class_name(value)


@register.filter
def parameter_name(key):
    return label(key)


@register.filter
def value_of(values, key):
    if not isinstance(values, Mapping):
        return ""
    value = values.get(key)
    return "" if value is None else f"{value:g}"


@register.filter
def multiple_of(exceedance, key):
    """An exceedance multiple to two decimals, or "" when the item has none."""
    value = exceedance.get(key) if isinstance(exceedance, Mapping) else None
    return "" if value is None else f"{value:.2f}"


@register.filter
def parameter_names(keys):
    return "、".join(label(k) for k in keys or [])
