"""mangum's per-event-kind handler classes are its internals: the runtime has no counterpart to hand them to."""


class _Internal:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} is one of mangum's internal classes; not shimmed")

    @classmethod
    def infer(cls, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__} is one of mangum's internal classes; not shimmed")
