"""Secrets from Parameter Store and Secrets Manager: the ``secrets``, ``secrets_path`` and
``secrets_refresh_seconds`` settings, the execution role's read permissions and the plan's check that every
reference exists (:mod:`.step`), and ``zappa secrets set/get/list`` (:mod:`.cli`).

The values themselves are read by the runtime at cold start (:mod:`zappa_runtime.secrets`); the deploy side
only ever describes parameters and secrets, except in ``zappa secrets get``, whose job it is."""
