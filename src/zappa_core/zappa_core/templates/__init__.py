"""jinja2 templates of the files that zappa writes (``zappa init``'s settings file)."""
