"""zappa-ng-aws-alb: an Application Load Balancer in front of the function."""
