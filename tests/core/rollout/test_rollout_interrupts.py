"""A Ctrl-C that arrives while ``update`` starts a rollout (the alias may already carry it) is held until the
watch takes over, which rolls the rollout back; the end-to-end path is in tests/core/local/test_local_rollout.py."""

from __future__ import annotations

import os
import signal

import pytest
from zappa_core.rollout.run import hold_interrupts, release_interrupts


def test_a_ctrl_c_while_a_rollout_starts_is_held_then_raised_again_after_release():
    held = hold_interrupts()
    try:
        os.kill(os.getpid(), signal.SIGINT)  # delivered to this (main) thread before kill returns
        assert held == [True]
    finally:
        release_interrupts()
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
