"""neuroplay: a live, server-trained neural-network playground.

``app.nn`` is the numpy network; ``app.training.session`` trains it; ``app.live.server``
streams it to the browser. See README.md for the code map.
"""

__version__ = "0.1.0"
