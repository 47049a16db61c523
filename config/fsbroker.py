"""kombu's filesystem transport with an atomic publish, for the embedded default (`make run`).

kombu 5.7's `filesystem` transport creates the message's file in the queue folder and then writes
it; a worker polling the folder can move and read the file in between, get an empty payload and
die on the JSON error (seen in `make run`: the worker exited, and web and beat with it). Here a
message is written in a staging folder beside the queue and renamed into it, so a reader sees a
whole message or none. Same folders and options otherwise.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        folder = str(self.data_folder_out).rstrip(os.sep)
        staging = f"{folder}-staging"
        try:
            os.makedirs(staging, exist_ok=True)
            path = os.path.join(staging, name)
            with open(path, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(path, os.path.join(folder, name))  # atomic on one filesystem
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
