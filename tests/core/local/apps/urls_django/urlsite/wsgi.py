"""The project's own WSGI application, as Zappa's ``app_function`` beside ``django_settings`` serves it: it wraps
Django's and names, in a header, the settings module it found when it was imported. It sets none itself."""

import os

from django.core.wsgi import get_wsgi_application

SETTINGS_AT_IMPORT = os.environ.get("DJANGO_SETTINGS_MODULE", "(none)")
django_application = get_wsgi_application()


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Settings-Module", SETTINGS_AT_IMPORT)], exc_info)

    return django_application(environ, start)
