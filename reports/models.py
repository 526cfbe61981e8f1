from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Tier
from core.years import MAX_YEAR, MIN_YEAR


class ClusterConference(models.Model):
    """The yearly meeting of an emulation cluster, whose summary is the cluster report."""

    cluster = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("cụm thi đua")
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
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

    class Meta:
        verbose_name = _("hội nghị giao ban cụm")
        verbose_name_plural = _("hội nghị giao ban cụm")
        ordering = ["cluster__sort_key", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="conference_one_per_cluster_year"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster.short_name} {self.year}"

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
