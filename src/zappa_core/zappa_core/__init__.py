"""zappa-ng-core: the ``zappa`` command, settings, plugin manager, packaging and provisioning."""

__version__ = "0.1.0"
