"""How a member of staff's name is written everywhere: pages, exports, reports."""


def person_name(user) -> str:
    """Chinese order, family name first and no space (王玉枝); the username when no name is set."""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.get_username()
