"""Data: the seeded datasets, the input features, user-supplied points and the train/test split.

May import ``app.nn``, ``app.errors``, numpy and the standard library. Must never import
``app.training``, ``app.live``, ``app.bench`` or any web package.
"""
