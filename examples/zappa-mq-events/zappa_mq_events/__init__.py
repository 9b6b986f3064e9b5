"""An Amazon MQ (ActiveMQ and RabbitMQ) event source for zappa's ``events`` setting."""

__version__ = "0.1.0"
