"""Demo logins (and, as the register grows, the demo community) for seed_demo."""

from django.contrib.auth import get_user_model

DEMO_PASSWORD = "doorstep-demo"

# username, family name, given name, what they do
DEMO_USERS = [
    ("admin", "管", "理员", "administrator"),
    ("supervisor", "李", "书记", "supervisor"),
    ("deskstaff", "张", "敏", "desk staff"),
    ("gridworker", "刘", "洋", "grid worker"),
    ("volunteer", "陈", "静", "volunteer"),
]


def seed() -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, family, given, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": family, "first_name": given}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = username == "admin"
            user.save()
        logins.append((username, role))
    return logins
