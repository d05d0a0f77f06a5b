"""neuroplay: a live, server-trained neural-network playground.

``app.nn`` is the numpy network; ``app.session`` trains it; ``app.server``
streams it to the browser. See README.md for the code map.
"""

__version__ = "0.1.0"
