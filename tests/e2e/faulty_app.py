"""``python -m tests.e2e.faulty_app serve …``: neuroplay whose diagnosis raises while the file named by
NEUROPLAY_TEST_FAULT exists (a bug in what builds a frame, for tests/e2e/test_faults.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.cli import main
from app.training.diagnosis import Diagnosis


def inject_fault(flag: Path) -> None:
    observe = Diagnosis.observe

    def faulty(diagnosis: Diagnosis, *args: Any, **kwargs: Any) -> Any:
        if flag.exists():
            raise RuntimeError("injected fault in the diagnosis")
        return observe(diagnosis, *args, **kwargs)

    Diagnosis.observe = faulty  # type: ignore[method-assign]


if __name__ == "__main__":
    inject_fault(Path(os.environ["NEUROPLAY_TEST_FAULT"]))
    main()
