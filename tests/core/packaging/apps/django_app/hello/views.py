from django.http import JsonResponse


def index(request):
    return JsonResponse({"app": "django", "query": request.GET.get("parameter2")})
