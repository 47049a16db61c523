urlpatterns: list = []  # the directory, search, resident page, create / edit (see views)
