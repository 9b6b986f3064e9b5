"""mangum's adapter module: only its text MIME types exist here (the runtime has its own list)."""

DEFAULT_TEXT_MIME_TYPES = ["text/", "application/json", "application/javascript", "application/xml",
                           "application/vnd.api+json", "application/vnd.oai.openapi"]
