from requests.calendar_models import CalendarDay

__all__ = ["CalendarDay"]
