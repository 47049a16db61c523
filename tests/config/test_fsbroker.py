"""The embedded broker (kombu's filesystem transport) publishes atomically: a worker polling the
queue folder while a message is being written sees the whole message or none, never an empty file
(kombu 5.7 creates the file in the queue folder, then writes it: the worker died on the JSON error)."""

import threading

from kombu import Connection
from kombu.transport.virtual import Empty


def test_a_reader_racing_the_writers_gets_every_message_whole(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "polling_interval": 0.01}
    n = 300
    with (
        Connection(
            "filesystem://", transport="config.fsbroker:Transport", transport_options=options
        ) as writer,
        Connection(
            "filesystem://", transport="config.fsbroker:Transport", transport_options=options
        ) as reader,
    ):
        put, get = writer.default_channel, reader.default_channel
        got, errors = [], []

        def read():
            while len(got) < n and not errors:
                try:
                    got.append(get._get("q")["body"])
                except Empty:
                    continue
                except Exception as exc:  # an empty or half-written file
                    errors.append(exc)

        thread = threading.Thread(target=read)
        thread.start()
        for i in range(n):
            put._put("q", {"body": f"message {i} " + "x" * 2000})
        thread.join(timeout=60)
    assert errors == []
    assert sorted(got) == sorted(f"message {i} " + "x" * 2000 for i in range(n))
    assert list(folder.iterdir()) == []
