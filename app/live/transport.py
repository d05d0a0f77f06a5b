"""The websocket transport the real server uses: uvicorn's, except that a stalled peer is cut off.

When a connection's app has ended (``app.live.connection`` lets a client go that stopped
reading), uvicorn closes the transport, and asyncio's ``close`` waits for the write buffer to
drain first: for a peer that never reads, that is forever, and the socket, its buffers and
shutdown all wait with it. This protocol aborts such a transport instead, with a reset
(``SO_LINGER`` 0) so the kernel frees what it still holds too. A peer that takes the bytes
gets the normal closing handshake, and is aborted only if that has not finished after
CLOSING_S. A text message that is not UTF-8 closes its socket with code 1007 and one log line.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

CLOSING_S = 10.0  # how long a closing handshake may take once the app has ended; then the socket is reset
CLOSE_INVALID_TEXT = 1007  # websocket close code: a text message that is not UTF-8
LOG = logging.getLogger("neuroplay.transport")


class StallSafeProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol; a connection whose app ended never outlives a stalled peer."""

    async def run_asgi(self) -> None:
        await super().run_asgi()
        if not self.writable.is_set():  # the peer takes no bytes: not even a close frame reaches it
            self.reset()
        else:
            self.loop.call_later(CLOSING_S, self.reset)

    def send_receive_event_to_app(self) -> None:
        """As uvicorn's, but a text message that is not UTF-8 closes the socket with one log line, not a traceback."""
        if self.curr_msg_data_type == "text" and not self.close_sent:
            try:
                b"".join(self.frames).decode()
            except UnicodeDecodeError:
                self.frames = []
                LOG.warning("a client sent text that is not UTF-8; its socket is closed (code 1007)")
                self.conn.send_close(CLOSE_INVALID_TEXT)
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()

    def reset(self) -> None:
        """Drop the connection now, buffers and all (a TCP reset)."""
        if self.disconnected:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()
