urlpatterns: list = []  # roster import and export
