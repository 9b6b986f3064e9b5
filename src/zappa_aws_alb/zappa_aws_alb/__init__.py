"""zappa-ng-aws-alb: an Application Load Balancer in front of the function."""

__version__ = "0.1.0"
