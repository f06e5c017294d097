"""Classes instead of `style=""`: the Content-Security-Policy refuses inline styles, so a bar's
width or a row's indent picks one of the classes static/css/pakta.css defines."""

from django import template

register = template.Library()

MAX_INDENT = 8


@register.filter
def width_class(percent) -> str:
    """`w-pct-0` … `w-pct-100`, the nearest whole percent."""
    try:
        value = round(float(percent))
    except (TypeError, ValueError, OverflowError):
        value = 0
    return f"w-pct-{min(max(value, 0), 100)}"


@register.filter
def indent_class(depth) -> str:
    """`indent-0` … `indent-8`: deeper levels share the last step."""
    try:
        value = int(depth)
    except (TypeError, ValueError):
        value = 0
    return f"indent-{min(max(value, 0), MAX_INDENT)}"
