from django.conf import settings
from django.utils import translation


class VietnameseFirstLocaleMiddleware:
    """Activate the language chosen with the switch (cookie), else Vietnamese.

    Django's LocaleMiddleware follows Accept-Language, which would give an en-US browser
    English pages and English number formats; this portal is Vietnamese unless asked otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.available:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response
