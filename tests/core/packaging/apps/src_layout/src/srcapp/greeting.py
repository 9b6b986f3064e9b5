def greet() -> str:
    return "hello from src/"
