from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Tier

from .models import ClusterConference


class ConferenceForm(forms.ModelForm):
    class Meta:
        model = ClusterConference
        fields = [
            "year",
            "kind",
            "number",
            "date",
            "place",
            "host",
            "presided_by",
            "guests",
            "summary",
            "events",
            "directions",
            "next_host",
            "doc_symbol",
            "signer_authority",
            "signer_title",
            "signer_name",
            "recipients",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "presided_by": forms.Textarea(attrs={"rows": 2}),
            "guests": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "events": forms.Textarea(attrs={"rows": 5}),
            "directions": forms.Textarea(attrs={"rows": 5}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, cluster: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cluster = cluster
        members = cluster.get_children().of_tier(Tier.PROVINCE).order_by("sort_key")
        self.fields["host"].queryset = members
        self.fields["next_host"].queryset = members


class IssueForm(forms.Form):
    number = forms.IntegerField(label=_("Số văn bản"), min_value=1, max_value=9999)
    dated = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
