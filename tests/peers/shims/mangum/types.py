"""The type names mangum's tests import (annotations only)."""

from typing import Any, Literal

LambdaEvent = dict[str, Any]
LambdaContext = Any
LambdaConfig = dict[str, Any]
LambdaCognitoIdentity = Any
LambdaMobileClientContext = Any
QueryParams = dict[str, Any]
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Any
Send = Any
ASGI = Any
Response = dict[str, Any]
LifespanMode = Literal["auto", "on", "off"]
