"""Classroom: rooms, the broker (in-process or Redis) and its link, placement, students and the class view.

Part of the live layer. May import the rest of ``app.live`` below the connection (protocol, encoder,
outbox, registry, settings, audience) and ``app.training``, ``app.data``, ``app.nn``, ``app.errors``.
Must never import ``app.live.connection`` or ``app.live.server`` (they import the classroom), nor
``app.bench`` or ``app.cli``.
"""
