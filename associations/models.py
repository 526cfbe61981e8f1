import functools
import operator
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords


def sort_key_for(name: str) -> str:
    """Fold Vietnamese diacritics (đ as d) so that 'Điện Biên' sorts before 'Yên Bái'."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


class Tier(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    CLUSTER = "cluster", _("Cụm thi đua")
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Huyện/quận")
    COMMUNE = "commune", _("Xã/phường")


# A commune may sit under a province since the 2025 reform abolished districts.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    Tier.CENTRAL: (None,),
    Tier.CLUSTER: (Tier.CENTRAL,),
    Tier.PROVINCE: (Tier.CLUSTER,),
    Tier.DISTRICT: (Tier.PROVINCE,),
    Tier.COMMUNE: (Tier.DISTRICT, Tier.PROVINCE),
}


class Perm(models.TextChoices):
    VIEW = "view", _("xem")
    EDIT_FIGURES = "edit_figures", _("nhập số liệu")
    REVIEW = "review", _("duyệt")
    EDIT_CONFERENCE = "edit_conference", _("sửa hội nghị cụm")


class RoleKind(models.TextChoices):
    OFFICER = "officer", _("Cán bộ nhập liệu")
    CHAIR = "chair", _("Cụm trưởng")
    REVIEWER = "reviewer", _("Cán bộ Trung ương (duyệt)")
    VIEWER = "viewer", _("Chỉ xem")


# "Active in a year" is written once per layer: span_covers() in Python, active_during_q() for the
# ORM, funds.sql.active() for the raw totals SQL. A missing bound is open-ended: always, or still.


def span_covers(active_from: int | None, active_until: int | None, year: int) -> bool:
    """A node active from `active_from` until `active_until` is active in `year`."""
    return (active_from is None or active_from <= year) and (active_until is None or active_until >= year)


def active_during_q(first: int | None, last: int | None, *, prefix: str = "") -> Q:
    """Nodes active in at least one year of first..last (None leaves that side open).

    `prefix` reaches the node through a relation, e.g. "association__" from a return.
    """
    q = Q()
    if last is not None:
        q &= Q(**{f"{prefix}active_from__isnull": True}) | Q(**{f"{prefix}active_from__lte": last})
    if first is not None:
        q &= Q(**{f"{prefix}active_until__isnull": True}) | Q(**{f"{prefix}active_until__gte": first})
    return q


def active_in_q(year: int, *, prefix: str = "") -> Q:
    """Nodes active in `year`; see active_during_q() for `prefix`."""
    return active_during_q(year, year, prefix=prefix)


def _position(node, attr: str):
    # A node, or the lookup of one in the outer query (a string such as "association__"), for OuterRef.
    return OuterRef(f"{node}{attr}") if isinstance(node, str) else getattr(node, attr)


def subtree_q(root, *, prefix: str = "") -> Q:
    """Rows whose node (reached through `prefix`) is `root` or below it, on the MPTT columns.

    `root` is a node, or a string naming one in the outer query ("" for the outer row itself). The
    redundant `lft < root.rght` bounds the range on the (tree_id, lft) index at both ends, so that
    the database reads the subtree alone rather than everything after it in the tree.
    """
    return Q(
        **{
            f"{prefix}tree_id": _position(root, "tree_id"),
            f"{prefix}lft__gte": _position(root, "lft"),
            f"{prefix}lft__lt": _position(root, "rght"),
            f"{prefix}rght__lte": _position(root, "rght"),
        }
    )


def ancestors_q(node, *, prefix: str = "") -> Q:
    """Rows whose node (reached through `prefix`) is `node` or above it; `node` as for subtree_q()."""
    return Q(
        **{
            f"{prefix}tree_id": _position(node, "tree_id"),
            f"{prefix}lft__lte": _position(node, "lft"),
            f"{prefix}rght__gte": _position(node, "rght"),
        }
    )


def _encloses_outer_row(outer: str = "", *, prefix: str = "") -> tuple:
    """Lookups: the node reached through `prefix` is the outer query's node (reached through `outer`) or
    above it, as ancestors_q(outer, prefix=prefix).

    The "+ 0" keeps the database off the tree index for the inner node, whose range test it would
    otherwise run against every node of the tree for each outer row: it starts from the user's few
    roles (or their predecessors) instead and tests each against the outer row.
    """
    column = lambda name: F(f"{prefix}{name}") + 0  # noqa: E731
    return (
        Exact(column("tree_id"), OuterRef(f"{outer}tree_id")),
        LessThanOrEqual(column("lft"), OuterRef(f"{outer}lft")),
        GreaterThanOrEqual(column("rght"), OuterRef(f"{outer}rght")),
    )


# The paths from a node to itself and to each of its ancestors: a node has at most one ancestor per
# tier above its own (ALLOWED_PARENTS), so a commune has four.
ANCESTOR_PATHS = ["pk", *("__".join(["parent"] * hops) + "_id" for hops in range(1, len(Tier.values)))]


def _below_predecessor_of(roles) -> Q:
    """The outer query's node is at or below a predecessor of a node that one of `roles` covers.

    The node's few ancestors are reached through its parents, and each is looked up in the
    successions by index (one EXISTS per ancestor, so that each is a plain equality the database can
    search by, which an OR inside one EXISTS is not); each succession found has its successor
    checked against the user's roles. A fixed amount of work per node, however large the tree or
    the history.
    """
    covered = Exists(roles.filter(*_encloses_outer_row("successor__", prefix="association__")))
    successions = Succession.objects.filter(covered)
    return functools.reduce(
        operator.or_, (Exists(successions.filter(predecessor_id=OuterRef(path))) for path in ANCESTOR_PATHS)
    )


class AssociationQuerySet(TreeQuerySet):
    def active_in(self, year: int):
        """Nodes active in `year` (open-ended bounds count as always)."""
        return self.filter(active_in_q(year))

    def of_tier(self, *tiers: str):
        """Nodes of the given tiers."""
        return self.filter(tier__in=tiers)

    def _covered_by_roles(self, user, perm: str | None):
        # The policy's table of rights lives with the access rules, which import this module.
        from .access import PREDECESSORS_GRANT, roles_with

        roles = Role.objects.filter(user=user)
        if perm is not None:
            roles = roles.filter(role__in=roles_with(perm))
        covered = Exists(roles.filter(*_encloses_outer_row(prefix="association__")))
        if perm is None or perm in PREDECESSORS_GRANT:
            covered |= _below_predecessor_of(roles)
        return self.filter(covered)

    def visible_to(self, user):
        """Nodes inside the subtree of any of the user's roles, or of a predecessor of a node inside one
        (the history it took over, read only); everything for a superuser.

        The scoping SQL of the access policy (associations/access.py); views ask the policy.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self._covered_by_roles(user, None)

    def with_perm(self, user, perm: str):
        """Nodes on which the user holds `perm` through a role on the node or an ancestor (for seeing,
        also through a role covering a successor of the node or of an ancestor)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self._covered_by_roles(user, perm)

    def in_subtree_of(self, node: "Association", *, include_self: bool = True):
        """The node's subtree, as one range filter on the MPTT columns."""
        qs = self.filter(subtree_q(node))
        return qs if include_self else qs.exclude(pk=node.pk)


class AssociationManager(TreeManager.from_queryset(AssociationQuerySet)):
    pass


class Association(MPTTModel):
    tier = models.CharField(_("cấp"), max_length=10, choices=Tier.choices)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    code = models.CharField(
        _("mã"), max_length=20, help_text=_("Mã đơn vị hành chính; chỉ duy nhất trong cùng năm.")
    )
    sort_key = models.CharField(max_length=200, editable=False, db_index=True)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("hội cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    active_from = models.PositiveSmallIntegerField(_("hoạt động từ năm"), null=True, blank=True)
    active_until = models.PositiveSmallIntegerField(_("hoạt động đến năm"), null=True, blank=True)
    # Provinces merged whole in 2025, but communes were sometimes split across several new ones.
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("hội kế thừa"),
        symmetrical=False,
        through="Succession",
        through_fields=("predecessor", "successor"),
        related_name="predecessors",
        blank=True,
    )

    # Tree edits (a move, the years a node is active) change totals, so they are kept like figures.
    history = HistoricalRecords(excluded_fields=["lft", "rght", "tree_id", "level", "sort_key"])
    objects = AssociationManager()

    class MPTTMeta:
        order_insertion_by = ["sort_key"]

    class Meta:
        verbose_name = _("hội khuyến học")
        verbose_name_plural = _("hội khuyến học")
        ordering = ["tree_id", "lft"]
        constraints = [
            models.CheckConstraint(
                name="association_active_range",
                condition=Q(active_from__isnull=True)
                | Q(active_until__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                violation_error_message=_("Năm kết thúc không được trước năm bắt đầu."),
            ),
            models.CheckConstraint(
                name="association_tier_valid",
                condition=Q(tier__in=Tier.values),
            ),
        ]
        indexes = [models.Index(fields=["tier", "code"])]

    def __str__(self) -> str:
        return self.name

    def is_active_in(self, year: int) -> bool:
        """The node exists in `year`, as Association.objects.active_in() selects it."""
        return span_covers(self.active_from, self.active_until, year)

    def save(self, *args, **kwargs):
        self.sort_key = sort_key_for(self.short_name or self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.sort_key = sort_key_for(self.short_name or self.name)
        parent_tier = self.parent.tier if self.parent_id else None
        allowed = ALLOWED_PARENTS.get(self.tier, ())
        if parent_tier not in allowed:
            raise ValidationError({"parent": tier_rule_message(self.tier, parent_tier)})
        if self.code and self.tier:
            clash = Association.objects.filter(tier=self.tier, code=self.code).exclude(pk=self.pk)
            clash = clash.filter(active_during_q(self.active_from, self.active_until))
            if clash.exists():
                raise ValidationError(
                    {
                        "code": _("Mã %(code)s đã được dùng cho một hội cùng cấp trong cùng năm.")
                        % {"code": self.code}
                    }
                )


def tier_rule_message(tier: str, parent_tier: str | None) -> str:
    """The Vietnamese sentence shown when a node is placed under the wrong tier."""
    labels = dict(Tier.choices)
    wanted = [labels[t] if t else _("không có (gốc)") for t in ALLOWED_PARENTS.get(tier, ())]
    return _("Hội cấp “%(tier)s” không thể trực thuộc %(parent)s; cấp trên hợp lệ: %(allowed)s.") % {
        "tier": labels.get(tier, tier),
        "parent": f"hội cấp “{labels[parent_tier]}”" if parent_tier else _("gốc cây (không có cấp trên)"),
        "allowed": ", ".join(str(w) for w in wanted),
    }


class Succession(models.Model):
    """`successor` carries on the work of `predecessor` from `successor.active_from` (a merger or a split)."""

    predecessor = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="succeeded_by", verbose_name=_("hội tiền thân")
    )
    successor = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="succeeds", verbose_name=_("hội kế thừa")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế thừa")
        verbose_name_plural = _("kế thừa")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(
                name="succession_not_self",
                condition=~Q(predecessor=models.F("successor")),
                violation_error_message=_("Một hội không thể kế thừa chính mình."),
            ),
        ]
        indexes = [models.Index(fields=["successor", "predecessor"])]

    def __str__(self) -> str:
        return f"{self.predecessor.short_name} → {self.successor.short_name}"


class Role(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("người dùng"),
    )
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="roles", verbose_name=_("hội")
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=RoleKind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "association", "role"], name="role_unique"),
            models.CheckConstraint(name="role_kind_valid", condition=Q(role__in=RoleKind.values)),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.association.short_name}"

    def clean(self) -> None:
        if self.role == RoleKind.CHAIR and self.association_id and self.association.tier != Tier.CLUSTER:
            raise ValidationError({"association": _("Cụm trưởng phải gắn với một cụm thi đua.")})


class DataVersion(models.Model):
    """Counts of the writes to what the pages show; caches key on them (associations/data_version.py).

    One row per year of figures, and the row of year 0 for writes tied to no single year (the tree,
    roles, a fund's name): a write to 2025's returns leaves 2022's cached report and rankings warm.
    Here, in the lowest app with tables, so that the tree's writes can bump it as well as the figures' and
    the reports'.
    """

    # 0: everything not tied to one year; otherwise the year whose figures were written.
    year = models.PositiveSmallIntegerField(default=0, unique=True)
    n = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.year or '*'}: v{self.n}"
