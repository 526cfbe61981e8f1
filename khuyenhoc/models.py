from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TemporaryPassword(models.Model):
    """A password a reviewer set for a user, to be changed at the user's next sign-in.

    It is temporary only while the user's password hash is still the one recorded here, so a change
    by any path (the change form, a reset link, the admin) ends it without anyone clearing it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="temporary_password",
        verbose_name=_("người dùng"),
    )
    password = models.CharField(_("mật khẩu (mã băm)"), max_length=128)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người đặt"),
    )
    set_at = models.DateTimeField(_("lúc đặt"), auto_now=True)

    class Meta:
        verbose_name = _("mật khẩu tạm")
        verbose_name_plural = _("mật khẩu tạm")

    def __str__(self) -> str:
        return str(self.user)
