"""Zappa's utilities are its internals (a few of its handler tests test one directly): not shimmed."""


def merge_headers(*args, **kwargs):
    raise NotImplementedError("merge_headers is one of Zappa's internal helpers; the runtime has no counterpart")
