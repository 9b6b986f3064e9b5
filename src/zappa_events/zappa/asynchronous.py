"""Zappa's import path for async tasks: ``from zappa.asynchronous import task, task_sns, run, get_async_response``."""

from zappa_events.asynchronous import (
    AsyncException,
    AsyncResponse,
    get_async_response,
    get_func_task_path,
    import_task,
    route_lambda_task,
    route_sns_task,
    run,
    task,
    task_sns,
)

__all__ = [
    "AsyncException",
    "AsyncResponse",
    "get_async_response",
    "get_func_task_path",
    "import_task",
    "route_lambda_task",
    "route_sns_task",
    "run",
    "task",
    "task_sns",
]
