"""zappa-ng-runtime: the code that runs inside AWS Lambda. Standard library and pluggy only."""

__version__ = "0.1.0"
