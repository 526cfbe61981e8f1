from django import forms

from associations.models import Association

from .models import ClusterConference


class ConferenceForm(forms.ModelForm):
    class Meta:
        model = ClusterConference
        fields = [
            "date",
            "place",
            "host",
            "presided_by",
            "guests",
            "summary",
            "events",
            "directions",
            "next_host",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "presided_by": forms.Textarea(attrs={"rows": 2}),
            "guests": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "events": forms.Textarea(attrs={"rows": 5}),
            "directions": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, cluster: Association, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cluster = cluster
        self.instance.year = year
        members = cluster.get_children().active_in(year).order_by("sort_key")
        self.fields["host"].queryset = members
        self.fields["next_host"].queryset = cluster.get_children().order_by("sort_key")
