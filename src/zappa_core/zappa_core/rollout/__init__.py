"""Gradual deploys: ``update`` shifts a share of the alias ``current``'s traffic to the new version, watches the
new version's errors and the named alarms, then promotes it or rolls it back (``docs/deployments.md``).

The rollout's state lives in the alias itself (its description, written in the same ``UpdateAlias`` call that sets
the routing weights), so the weights and the record of why they are set never disagree, and the next command
finds an interrupted rollout from AWS alone.
"""
