from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Tier
from core.years import MAX_YEAR, MIN_YEAR


class ConferenceKind(models.TextChoices):
    REGULAR = "giao_ban", _("giao ban")
    MID_YEAR = "so_ket", _("sơ kết 6 tháng")
    YEAR_END = "tong_ket", _("tổng kết năm")


class ClusterConference(models.Model):
    """A meeting of an emulation cluster (several a year), whose summary is the cluster report."""

    cluster = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("cụm thi đua")
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    kind = models.CharField(
        _("loại hội nghị"), max_length=10, choices=ConferenceKind.choices, default=ConferenceKind.REGULAR
    )
    number = models.PositiveSmallIntegerField(
        _("lần thứ"), null=True, blank=True, help_text=_("Số thứ tự của hội nghị cùng loại, ví dụ 28.")
    )
    date = models.DateField(_("ngày họp"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    host = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferences_hosted",
        verbose_name=_("hội đăng cai"),
    )
    presided_by = models.TextField(_("chủ trì"), blank=True)
    guests = models.TextField(_("khách mời, đại biểu"), blank=True, help_text=_("Mỗi người một dòng."))
    summary = models.TextField(_("đánh giá chung"), blank=True)
    events = models.TextField(
        _("diễn biến, sự kiện tại hội nghị"), blank=True, help_text=_("Mỗi sự kiện một dòng.")
    )
    directions = models.TextField(_("phương hướng năm sau"), blank=True)
    next_host = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hội đăng cai năm sau"),
    )
    # Decree 30/2020/NĐ-CP: the symbol of the document number, who signs and who receives it.
    doc_symbol = models.CharField(
        _("ký hiệu văn bản"), max_length=40, blank=True, help_text=_("Phần sau số văn bản, ví dụ BC-CTĐ1.")
    )
    signer_authority = models.CharField(
        _("thẩm quyền ký"), max_length=100, blank=True, help_text=_("Ví dụ: TM. CỤM THI ĐUA.")
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=100, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi nơi nhận một dòng."))

    class Meta:
        verbose_name = _("hội nghị giao ban cụm")
        verbose_name_plural = _("hội nghị giao ban cụm")
        ordering = ["cluster__sort_key", "-year", "-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "kind", "number"],
                condition=Q(number__isnull=False),
                name="conference_number_unique_per_kind",
                violation_error_message=_("Cụm đã có một hội nghị cùng loại mang số thứ tự này."),
            ),
            models.CheckConstraint(
                name="conference_kind_valid", condition=Q(kind__in=["giao_ban", "so_ket", "tong_ket"])
            ),
        ]

    def __str__(self) -> str:
        number = f" {self.number}" if self.number else ""
        return f"{self.cluster.short_name} {self.get_kind_display()}{number} {self.year}"

    def clean(self) -> None:
        if self.cluster_id and self.cluster.tier != Tier.CLUSTER:
            raise ValidationError({"cluster": _("Hội nghị giao ban phải thuộc một cụm thi đua.")})
        for name in ("host", "next_host"):
            node = getattr(self, name)
            if node is not None and self.cluster_id and node.parent_id != self.cluster_id:
                raise ValidationError({name: _("Hội đăng cai phải là một tỉnh thành viên của cụm.")})
        if self.date and self.year and self.date.year != self.year:
            raise ValidationError({"date": _("Ngày họp phải thuộc năm %(year)s.") % {"year": self.year}})

    @property
    def guest_lines(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]

    @property
    def event_lines(self) -> list[str]:
        return [line.strip() for line in self.events.splitlines() if line.strip()]

    @property
    def direction_lines(self) -> list[str]:
        return [line.strip() for line in self.directions.splitlines() if line.strip()]

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


def issued_upload_to(instance: "IssuedReport", filename: str) -> str:
    conference = instance.conference
    return f"reports/issued/{conference.cluster_id}/{conference.pk}/v{instance.version}-{filename}"


class IssuedReport(models.Model):
    """One issued version of a conference report: the stored PDF and the figures it shows, never changed."""

    conference = models.ForeignKey(ClusterConference, on_delete=models.PROTECT, related_name="issued")
    version = models.PositiveSmallIntegerField(_("bản"))
    number = models.PositiveIntegerField(_("số văn bản"))
    symbol = models.CharField(_("ký hiệu văn bản"), max_length=40)
    dated = models.DateField(_("ngày văn bản"))
    issued_at = models.DateTimeField(_("thời điểm ban hành"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(_("tệp PDF"), upload_to=issued_upload_to, max_length=255)
    sha256 = models.CharField(max_length=64)
    snapshot = models.JSONField(_("số liệu đã ban hành"))
    changes = models.JSONField(_("điểm thay đổi so với bản trước"), default=list, blank=True)

    class Meta:
        verbose_name = _("báo cáo đã ban hành")
        verbose_name_plural = _("báo cáo đã ban hành")
        ordering = ["conference", "version"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "version"], name="issued_one_per_version"),
            models.CheckConstraint(name="issued_version_positive", condition=Q(version__gte=1)),
            models.CheckConstraint(name="issued_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} (bản {self.version})"

    @property
    def reference(self) -> str:
        """'01/BC-CTĐ1', as Decree 30 writes a document number."""
        return f"{self.number:02d}/{self.symbol}" if self.symbol else f"{self.number:02d}"
