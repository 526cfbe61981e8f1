# Spreadsheet import and export (issue 6).
urlpatterns: list = []
