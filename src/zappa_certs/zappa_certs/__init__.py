"""zappa-ng-certs: custom domains with ACM, your own or Let's Encrypt certificates."""
