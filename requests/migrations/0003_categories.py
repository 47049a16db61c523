"""The standard request categories (DESIGN §4.3's deadlines: consultation 2, help 5, complaint 13
working days; urgent repairs in hours). Administrators edit them afterwards; running this again
(or backwards and forwards) never duplicates a row."""

from django.db import migrations

# code, parent code, 中文, English, accept (n, unit), resolve (n, unit), SMS, default-handler rule
WD, WH, CH = "working_days", "working_hours", "calendar_hours"
CATEGORIES = [
    ("policy", None, "政策咨询", "Policy consultation", (1, WD), (2, WD), True, "none"),
    ("policy_medical_insurance", "policy", "医疗保险", "Medical insurance", (1, WD), (2, WD), True, "none"),
    ("policy_pension", "policy", "城乡居民养老保险", "Urban-rural pension", (1, WD), (2, WD), True, "none"),
    (
        "policy_childcare_subsidy",
        "policy",
        "育儿补贴（二孩补贴）",
        "Childcare / second-child subsidy",
        (1, WD),
        (2, WD),
        True,
        "none",
    ),
    ("policy_other", "policy", "其他政策", "Other policy questions", (1, WD), (2, WD), True, "none"),
    ("repair", None, "维修", "Repair", (1, WD), (5, WD), True, "grid_worker"),
    ("urgent_repair", None, "紧急维修", "Urgent repair", (1, WH), (24, CH), True, "grid_worker"),
    ("environment", None, "环境卫生", "Environment", (1, WD), (5, WD), True, "grid_worker"),
    ("parking", None, "停车管理", "Parking", (1, WD), (13, WD), True, "none"),
    ("dispute_mediation", None, "矛盾纠纷调解", "Dispute mediation", (1, WD), (13, WD), True, "none"),
    ("errand", None, "代办服务", "Errand", (1, WD), (5, WD), True, "grid_worker"),
    # Off by default: a message about a health follow-up on a shared family phone says too much.
    # Named: the community names a member with the health permission (DESIGN §6), as for any intake.
    ("health_follow_up", None, "健康随访", "Health follow-up", (1, WD), (5, WD), False, "named"),
    ("other", None, "其他", "Other", (1, WD), (5, WD), True, "none"),
]


def load(apps, schema_editor):
    Category = apps.get_model("requests", "Category")
    by_code = {}
    for position, (code, parent, zh, en, accept, resolve, sms, rule) in enumerate(CATEGORIES, start=1):
        category, _created = Category.objects.get_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent),
                "is_group": code == "policy",
                "name_zh": zh,
                "name_en": en,
                "position": position * 10,
                "accept_within": accept[0],
                "accept_unit": accept[1],
                "resolve_within": resolve[0],
                "resolve_unit": resolve[1],
                "sms_enabled": sms,
                "handler_rule": rule,
            },
        )
        by_code[code] = category


class Migration(migrations.Migration):
    dependencies = [("requests", "0002_closed_loop")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
