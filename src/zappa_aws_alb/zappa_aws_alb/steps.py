"""The load balancer's resource steps: ``alb:load-balancer``, ``alb:target-group``, ``alb:listener``.

Everything is found by name (derived from the function name, as Zappa does) and checked against the
``ZappaProject`` tag before it is changed or removed, so a load balancer of another project with the same
name is never taken over. With ``alb_enabled`` off, the steps plan the removal of what an earlier deploy
left, so turning the feature off converges too.
"""

from __future__ import annotations

from typing import Any

from zappa_core.plan import ResourceStep

from zappa_aws_alb.listener import ListenerStep
from zappa_aws_alb.load_balancer import LoadBalancerStep
from zappa_aws_alb.target_group import TargetGroupStep


def steps_for(settings: Any) -> list[ResourceStep]:
    return [LoadBalancerStep(settings), TargetGroupStep(settings), ListenerStep(settings)]
