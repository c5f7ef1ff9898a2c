app_name = "links"
urlpatterns: list = []
