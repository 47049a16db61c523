"""Filters of the dashboard pages: a rate as a percentage ("—" when nothing was counted)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def rate(number) -> str:
    if number is None or number.value is None:
        return "—"
    return f"{number.value * 100:.1f}%"


@register.filter
def signed(value) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def dashboard_field(field):
    """A form field with Bootstrap's class, marked invalid when it has errors."""
    css = "form-select" if field.field.widget.input_type == "select" else "form-control"
    if field.errors:
        css += " is-invalid"
    return format_html("{}", field.as_widget(attrs={"class": css}))
