"""Build the entry form's POST data the way the browser sends it, and read the pages back."""

from html.parser import HTMLParser

from funds import catalogue

# Every figure the form has (the catalogue's typed figures); a test names those it types.
FIGURES = catalogue.columns()
VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source"}


def _value(value) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    return str(value)


def _rows(prefix: str, rows, key: str) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if row.get(key))),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            if (text := _value(value)) is not None:
                data[f"{prefix}-{i}-{name}"] = text
    return data


def form_data(
    *, version=None, notes="", confirm=False, funds=(), scholarships=(), transfers=(), **figures
) -> dict:
    """POST data of the entry form: figures typed as given (int or text), blank when left out."""
    unknown = set(figures) - set(FIGURES)
    assert not unknown, unknown
    data = {name: _value(figures.get(name)) or "" for name in FIGURES}
    data["notes"] = notes
    data["version"] = "" if version is None else str(version)
    if confirm:
        data["confirm_outliers"] = "on"
    data |= _rows("funds", list(funds), "fund_id")
    data |= _rows("scholarships", list(scholarships), "id")
    data |= _rows("transfers", list(transfers), "id")
    return data


class _Page(HTMLParser):
    """Collects, inside the elements of one class, the <td> rows and the fields a browser would submit."""

    def __init__(self, css_class: str):
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.depth = 0
        self.inside_at = None  # depth of the element of `css_class` being read
        self.in_template = 0  # <template> rows are not submitted
        self.rows: list[list[str]] = []
        self.row = None
        self.cell = None
        self.fields: dict[str, str] = {}
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.depth += 1
        if self.inside_at is None and self.css_class in (attrs.get("class") or "").split():
            self.inside_at = self.depth
        if tag == "template":
            self.in_template += 1
        if self.inside_at is None:
            return
        if tag == "tr":
            self.row = []
        elif tag == "td":
            self.cell = []
        if self.in_template:
            return
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select:
            if self.select not in self.fields or "selected" in attrs:
                self.fields[self.select] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "template":
            self.in_template -= 1
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "td" and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.rows.append(self.row)
            self.row = None
        if self.inside_at == self.depth:
            self.inside_at = None
        self.depth -= 1

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.textarea:
            # As in a browser, the newline right after <textarea> is not part of the value.
            if not self.fields[self.textarea] and data.startswith("\n"):
                data = data[1:]
            self.fields[self.textarea] += data


def _parse(response, css_class: str) -> _Page:
    page = _Page(css_class)
    page.feed(response.content.decode())
    page.close()
    return page


def table_rows(response, css_class: str) -> list[list[str]]:
    """The text of each <td> row inside the elements of class `css_class`."""
    return _parse(response, css_class).rows


def input_values(response, css_class: str = "return-form") -> dict[str, str]:
    """{name: value} of the fields of one form (found by class), as the browser would submit them."""
    return _parse(response, css_class).fields


def history_entries(response) -> list[dict]:
    """The history table as entries: who, what, action and the (field, old, new) changes."""
    entries = []
    for cells in table_rows(response, "history"):
        if len(cells) >= 5:
            when, user, what, action, *change = cells
            entries.append({"user": user, "what": what, "action": action, "changes": []})
            if len(change) == 3:
                entries[-1]["changes"].append(tuple(change))
        else:
            entries[-1]["changes"].append(tuple(cells))
    return entries
