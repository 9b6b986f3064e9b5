"""zappa-ng-runtime: the code that runs inside AWS Lambda. Standard library and pluggy only."""
