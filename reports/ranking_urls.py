# Rankings, completeness and trends (issue 5).
urlpatterns: list = []
