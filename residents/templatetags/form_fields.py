"""Bootstrap 5 form fields drawn in Python: the markup crispy-forms' bootstrap5 pack gives
(`{{ field|as_crispy_field }}`), without its per-field template resolution and widget templates.

    {% load form_fields %}
    {% field form.description %}      the wrapper, label (with * when required), widget, errors, help
    {% widget form.idempotency_token %}   the widget alone (hidden inputs)

For pages drawn on every request (the intake form): crispy resolves a layout of templates per
field and Django renders each widget through its own templates, which together cost most of the
page. Labels and errors stay next to their fields with the same ids (`id_x_error`,
`id_x_helptext`) and aria-invalid / aria-describedby as crispy's. A widget kind not handled here
(radio lists, multiple files) falls back to Django's own rendering.
"""

from django import forms, template
from django.forms.widgets import Input
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_OWN = (forms.Textarea, forms.Select, forms.CheckboxInput, Input)
_NOT_OWN = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.SelectMultiple, forms.ClearableFileInput)


def _e(value) -> str:
    return str(conditional_escape(value))


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html: a False value is left out, True is a bare attribute."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"')
    return "".join(out)


def _widget_html(bound, extra: dict) -> str:
    widget = bound.field.widget
    if (
        not isinstance(widget, _OWN)
        or isinstance(widget, _NOT_OWN)
        or getattr(widget, "allow_multiple_selected", False)
    ):
        return str(bound.as_widget(attrs=extra))
    attrs = bound.build_widget_attrs(extra, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    name, final = _e(context["name"]), _attrs(context["attrs"])
    if isinstance(widget, forms.Textarea):
        value = context["value"]
        return f'<textarea name="{name}"{final}>\n{_e(value) if value else ""}</textarea>'
    if isinstance(widget, forms.Select):
        parts = [f'<select name="{name}"{final}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_e(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_e(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{_e(option['label'])}</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
    value = context["value"]
    shown = f' value="{_e(value)}"' if value is not None else ""
    return f'<input type="{_e(context["type"])}" name="{name}"{shown}{final}>'


def _classes(bound, bootstrap: str) -> dict:
    """crispy's classes: the widget's own, its class name in lower case, then Bootstrap's."""
    widget = bound.field.widget
    own = widget.attrs.get("class", "")
    kind = type(widget).__name__.lower()
    classes = own.split()
    if kind not in own:
        classes.append(kind)
    classes.append(bootstrap)
    if bound.errors:
        classes.append("is-invalid")
    return {"class": " ".join(classes)}


def _errors_and_help(bound) -> str:
    out = []
    if bound.errors:
        out.append(f'<div id="{_e(bound.auto_id)}_error" class="invalid-feedback">')
        out.extend(
            f'<p id="error_{n}_{_e(bound.auto_id)}"><strong>{_e(error)}</strong></p>'
            for n, error in enumerate(bound.errors, start=1)
        )
        out.append("</div>")
    if bound.help_text:
        # Help text is the form's own (like crispy, marked safe): never user input.
        out.append(f'<div id="{_e(bound.auto_id)}_helptext" class="form-text">{bound.help_text}</div>')
    return "".join(out)


@register.simple_tag
def widget(bound) -> SafeString:
    """The field's widget alone, as `{{ field }}` draws it."""
    return mark_safe(_widget_html(bound, {}))  # noqa: S308 - every value above is escaped


@register.simple_tag
def field(bound) -> SafeString:
    """The field as crispy-forms' bootstrap5 `as_crispy_field` draws it."""
    if bound.is_hidden:
        return widget(bound)
    widget_ = bound.field.widget
    required = bound.field.required
    star = '<span class="asteriskField">*</span>' if required else ""
    required_class = " requiredField" if required else ""
    label = _e(bound.label)
    if isinstance(widget_, forms.CheckboxInput):
        html = (
            f'<div class="mb-3"><div id="div_{_e(bound.auto_id)}" class="form-check">'
            f"{_widget_html(bound, _classes(bound, 'form-check-input'))}"
            f'<label for="{_e(bound.id_for_label)}" class="form-check-label{required_class}">'
            f"{label}{star}</label>{_errors_and_help(bound)}</div></div>"
        )
        return mark_safe(html)  # noqa: S308 - every value above is escaped
    bootstrap = "form-select" if isinstance(widget_, forms.Select) else "form-control"
    label_html = (
        f'<label for="{_e(bound.id_for_label)}" class="form-label{required_class}">{label}{star}</label>'
        if bound.label
        else ""
    )
    html = (
        f'<div id="div_{_e(bound.auto_id)}" class="mb-3">{label_html}'
        f"{_widget_html(bound, _classes(bound, bootstrap))}{_errors_and_help(bound)}</div>"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped
