"""`make run`: the web server, one Celery worker and beat in the foreground; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

PORT = os.environ.get("PORT", "8000")
PY = sys.executable
CELERY = [PY, "-m", "celery", "-A", "config"]
PROCESSES = {
    "web": [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
    "worker": [*CELERY, "worker", "--loglevel=INFO", "--concurrency=1", "--hostname=doorstep@%h"],
    "beat": [*CELERY, "beat", "--loglevel=INFO"],
}


def main() -> int:
    children = {name: subprocess.Popen(cmd) for name, cmd in PROCESSES.items()}
    print(
        f"\nDoorstep is starting: http://127.0.0.1:{PORT}/  (Ctrl-C stops web, worker and beat)\n"
        "Demo logins are listed in README.md (for example: supervisor / doorstep-demo).\n",
        flush=True,
    )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping the others.", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
