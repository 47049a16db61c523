"""The domain errors of request actions. Views turn them into a message; nothing has changed.

Invalid input (an empty reason, a due time in the past) raises Django's ValidationError with a
field → message dict, so a form can show it next to the field (`form.add_error(None, error)`).
"""


class RequestError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class TransitionError(RequestError):
    """The request's state does not allow this action (DESIGN §4.1)."""


class NotAllowed(RequestError):
    """The actor's role does not allow this action on this request (DESIGN §4.2)."""
