from django.contrib import admin
from django.http import JsonResponse
from django.urls import path


def hello(request):
    return JsonResponse({"path": request.path, "url": request.build_absolute_uri()})


urlpatterns = [path("hello/", hello), path("admin/", admin.site.urls)]
