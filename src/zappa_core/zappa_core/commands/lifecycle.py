"""lifecycle commands."""

from __future__ import annotations

from zappa_core.errors import NotImplementedYet


def deploy(ctx, **options):
    raise NotImplementedYet("deploy")


def update(ctx, **options):
    raise NotImplementedYet("update")


def rollback(ctx, **options):
    raise NotImplementedYet("rollback")


def undeploy(ctx, **options):
    raise NotImplementedYet("undeploy")


def status(ctx, **options):
    raise NotImplementedYet("status")


def invoke(ctx, **options):
    raise NotImplementedYet("invoke")


def manage(ctx, **options):
    raise NotImplementedYet("manage")


def plan(ctx, **options):
    raise NotImplementedYet("plan")
