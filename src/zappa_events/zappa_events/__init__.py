"""zappa-ng-events: schedules, AWS event sources and async tasks.

Kept empty of imports: the runtime module of this package is bundled into Lambda packages.
"""
