"""The site's own error pages: in the site's layout and language, and telling nothing of the internals.

No exception text, path or traceback reaches the page: an Http404's message may name what was
looked for, and a CSRF failure's reason names hosts and origins.
"""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

PAGES = {
    400: (
        _("Yêu cầu không hợp lệ"),
        _("Cổng không hiểu được yêu cầu này. Hãy quay lại trang trước và thử lại."),
    ),
    403: (
        _("Không có quyền"),
        _("Tài khoản của bạn không có quyền thực hiện thao tác này."),
    ),
    404: (
        _("Không tìm thấy trang"),
        _("Trang này không tồn tại, hoặc nằm ngoài phạm vi hội mà tài khoản của bạn được xem."),
    ),
    500: (
        _("Lỗi máy chủ"),
        _("Đã xảy ra lỗi phía máy chủ và lỗi đã được ghi lại. Hãy thử lại sau ít phút."),
    ),
}
CSRF_PAGE = (
    _("Biểu mẫu đã hết hạn"),
    _(
        "Trang đã mở quá lâu hoặc phiên làm việc đã kết thúc, nên biểu mẫu không còn hợp lệ. "
        "Hãy tải lại trang, đăng nhập nếu được hỏi, rồi gửi lại."
    ),
)


def _context(status: int, title, message) -> dict:
    return {"status": status, "title": title, "message": message}


def bad_request(request, exception=None):
    return _bare(request, 400)


def permission_denied(request, exception=None):
    return render(request, "error.html", _context(403, *PAGES[403]), status=403)


def page_not_found(request, exception=None):
    return render(request, "error.html", _context(404, *PAGES[404]), status=404)


def server_error(request):
    return _bare(request, 500)


def csrf_failure(request, reason=""):
    return render(request, "error.html", _context(403, *CSRF_PAGE), status=403)


def _bare(request, status: int) -> HttpResponse:
    """Render without context processors: the database or the request may be what failed."""
    context = {"request": request, "csrf_token": get_token(request), **_context(status, *PAGES[status])}
    return HttpResponse(loader.get_template("error.html").render(context), status=status)
