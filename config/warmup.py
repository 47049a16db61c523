"""Before a web worker takes its first request: load every view and template tag module, then take
what is loaded out of the garbage collector's way.

Python's full (generation 2) collection walks every tracked object in the process. In a worker
that is mostly Django, the app and their modules, which live as long as the process: a full
collection during a dashboard page at a million requests took 68 ms of a 330 ms page (bench,
2026-12-02). gc.freeze() moves them to a permanent generation the collector no longer walks; what a
request creates is collected as before.
"""

import gc


def warm_and_freeze() -> None:
    from django.urls import get_resolver

    from residents.code_stamp import code_stamp

    get_resolver().url_patterns  # noqa: B018 (imports every URLconf and view module)
    code_stamp()  # the intake form's ETags name it: read the files' stamps once, before a request
    gc.collect()
    gc.freeze()
