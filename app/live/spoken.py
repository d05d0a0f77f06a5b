"""The server's words in ``hello``: the settings' labels and help and the option names, in a socket's language.

``options()`` (app/live/protocol.py) describes every setting and option list in the engine's own
English; ``spoken_options`` words them from the message catalogues and gives each entry its
catalogue ``key``, so a page re-words them in its own language and a script matches on the key.
"""

from __future__ import annotations

from typing import Any

from app.i18n import translate

# Option lists whose entries' words come from the catalogues: list → (key prefix, translated entry keys).
SPOKEN_OPTIONS = {"dataset": ("option.dataset", ("label", "description")),
                  "activation": ("option.activation", ("label",)),
                  "output_activation": ("option.activation", ("label",)),
                  "cost": ("option.cost", ("label",)),
                  "init": ("option.init", ("label", "description")),
                  "optimizer": ("option.optimizer", ("label", "description")),
                  "regularization": ("option.regularization", ("label",))}


def spoken_options(described: dict[str, Any], language: str) -> dict[str, Any]:
    """``fields`` and ``options`` of ``options()`` with their words in ``language`` (each entry gains its ``key``)."""
    fields = {name: {**spec, "key": f"field.{name}",
                     "label": translate(language, f"field.{name}.label"),
                     "help": translate(language, f"field.{name}.help")}
              for name, spec in described["fields"].items()}
    lists = dict(described["options"])
    for name, (prefix, parts) in SPOKEN_OPTIONS.items():
        lists[name] = [{**entry, "key": f"{prefix}.{entry['name']}",
                        **{part: translate(language, f"{prefix}.{entry['name']}.{part}") for part in parts}}
                       for entry in lists[name]]
    lists["speed"] = [{**entry, "key": f"option.speed.{entry['unit']}",
                       "label": translate(language, f"option.speed.{entry['unit']}", count=entry["count"])}
                      for entry in lists["speed"]]
    return {"fields": fields, "options": lists}
