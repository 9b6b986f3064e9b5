"""``is_base64``, which Zappa's handler tests import from a ``tests/utils.py`` that its sdist does not ship."""

import base64
import binascii


def is_base64(text):
    try:
        return base64.b64encode(base64.b64decode(text, validate=True)).decode() == text
    except (binascii.Error, ValueError, TypeError):
        return False
