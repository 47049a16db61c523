from residents.urls_directory import urlpatterns as directory
from residents.urls_rosters import urlpatterns as rosters

app_name = "residents"
urlpatterns = [*directory, *rosters]
