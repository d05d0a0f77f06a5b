"""Lessons: read and check lesson files, and evaluate a step's goal on a session's own metrics.

May import ``app.training``, ``app.data``, ``app.nn``, ``app.errors``, numpy, PyYAML (safe loader only),
markdown-it-py and the standard library. Must never import ``app.live``, ``app.bench``, asyncio or any web
package. A lesson is data, never code: its goals are a closed vocabulary this package evaluates.
"""
