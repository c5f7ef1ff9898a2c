app_name = "execution"
urlpatterns: list = []
