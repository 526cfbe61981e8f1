"""How figures read from a node's predecessors are described: one sentence for pages, exports and reports."""

from django.utils.translation import gettext as _

from funds.selectors import Derivation


def derivation_note(derivation: Derivation | None, year: int) -> str:
    """'2024: cộng Hai, Một cũ' for a year summed from predecessors, why not when one was split; '' if its own."""
    if derivation is None:
        return ""
    if not derivation.summed:
        return _("%(year)s: không cộng dồn vì xã cũ được chia (%(names)s)") % {
            "year": str(year),
            "names": ", ".join(derivation.split),
        }
    if len(derivation.missing) == len(derivation.names):
        return _("%(year)s: chưa có số liệu của %(names)s cũ") % {
            "year": str(year),
            "names": ", ".join(derivation.names),
        }
    note = _("%(year)s: cộng %(names)s cũ") % {"year": str(year), "names": ", ".join(derivation.names)}
    if derivation.missing:
        note += " " + _("(chưa có số liệu: %(names)s)") % {"names": ", ".join(derivation.missing)}
    return note
