"""Forms of the roster pages: the upload, and the export's filters (the directory's, as GET params)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from residents.exports import ExportFilters
from residents.models import Community, Grid, Resident
from residents.rosters.reading import MAX_BYTES, MAX_ROWS

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


class RosterUploadForm(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), label=_("community"), empty_label=None
    )
    file = forms.FileField(
        label=_("roster file"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )

    def __init__(self, *args, community_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(pk__in=community_ids).order_by("name")
        # Formatted per request: a lazy string formatted at import time stays in one language.
        self.fields["file"].help_text = _(
            ".xlsx or .csv (UTF-8 or GB18030), at most %(size)s MB and %(rows)s rows."
        ) % {"size": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."), code="suffix")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": MAX_BYTES // (1024 * 1024)},
                code="size",
            )
        return upload


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.community.name} · {obj.name}"


class RosterExportForm(forms.Form):
    FORMATS = [("csv", "CSV"), ("csv-gb18030", "CSV (GB18030)"), ("xlsx", "Excel (.xlsx)")]

    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), required=False, label=_("community"), empty_label=_("All")
    )
    grid = GridChoiceField(
        queryset=Grid.objects.none(), required=False, label=_("grid"), empty_label=_("All")
    )
    compound = forms.CharField(required=False, max_length=60, label=_("compound"))
    flag = forms.MultipleChoiceField(
        required=False,
        label=_("only residents who are"),
        choices=[(name, Resident._meta.get_field(name).verbose_name) for name in Resident.FLAGS],
        widget=forms.CheckboxSelectMultiple,
    )
    q = forms.CharField(required=False, max_length=100, label=_("search"))
    download = forms.ChoiceField(required=False, choices=FORMATS)

    def __init__(self, data=None, *, community_ids: list[int]):
        if data is not None and "flags" in data:  # the directory may name it flags
            data = data.copy()
            data.setlist("flag", data.getlist("flag") + data.getlist("flags"))
        super().__init__(data)
        self.fields["community"].queryset = Community.objects.filter(pk__in=community_ids).order_by("name")
        self.fields["grid"].queryset = (
            Grid.objects.filter(community_id__in=community_ids)
            .select_related("community")
            .order_by("community__name", "id")
        )

    def clean(self):
        data = super().clean()
        community, grid = data.get("community"), data.get("grid")
        if community and grid and grid.community_id != community.pk:
            self.add_error("grid", _("This grid belongs to another community."))
        return data

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        grid = data.get("grid")
        return ExportFilters(
            community_id=data["community"].pk if data.get("community") else None,
            grid_id=grid.pk if grid else None,
            grid_name=grid.name if grid else "",
            compound=(data.get("compound") or "").strip(),
            flags=tuple(data.get("flag") or ()),
            q=(data.get("q") or "").strip(),
        )
