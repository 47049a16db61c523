"""English pages show status, category and other choice names as names: each starts with a capital
("Logged", "In progress"), as Chinese ones need nothing (issue 12). Every choice of every field of
Doorstep's own models is checked, so a new choice cannot slip back to lower case."""

from django.apps import apps
from django.utils import translation

OURS = {"residents", "desks", "requests"}


def choice_labels():
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                yield f"{model.__name__}.{field.name}={value}", str(label)


def test_every_choice_name_starts_with_a_capital_in_english():
    with translation.override("en"):
        lower = {where: label for where, label in choice_labels() if label[:1].islower()}
    assert lower == {}


def test_the_chinese_names_are_unchanged():
    from requests.request_models import Status

    with translation.override("zh-hans"):
        assert [str(label) for label in Status.labels] == ["已登记", "已派单", "办理中", "已办结", "已结束"]


def test_a_word_two_things_share_in_english_is_told_apart_in_chinese():
    """An SMS held back (quiet hours, cap, consent) is not a desk session that was held."""
    from residents.sms.models import State

    with translation.override("zh-hans"):
        assert str(State.HELD.label) == "暂缓发送"
        assert translation.gettext("held") == "已开展"  # the dashboard's "sessions held"
