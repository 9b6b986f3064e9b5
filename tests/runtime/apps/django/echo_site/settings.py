"""Settings of a minimal Django site that echoes what reached it."""

SECRET_KEY = "runtime-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "echo_site.urls"
MIDDLEWARE = []
INSTALLED_APPS = []
DATABASES = {}
USE_TZ = True
