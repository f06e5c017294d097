from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("signings.urls")),
]

handler400 = "signings.views.errors.bad_request"
handler403 = "signings.views.errors.permission_denied"
handler404 = "signings.views.errors.page_not_found"
handler500 = "signings.views.errors.server_error"
