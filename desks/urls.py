app_name = "desks"
urlpatterns: list = []
