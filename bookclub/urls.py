from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api as api_v3
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.models import Site

from bookclub.accounts import (
    ThrottledPasswordResetView,
    UnlockingPasswordResetConfirmView,
)
from bookclub.forms import ClubSetPasswordForm
from bookclub.media import media_urls
from reviews.api.v2 import api_router
from reviews.api.v2_openapi import openapi_view as v2_openapi_view
from reviews.api.v3 import register as register_club_api
from reviews.read_only import read_only
from reviews.sitemaps import ReachablePagesSitemap

register_club_api(api_v3)


class RobotsView(TemplateView):
    """The sitemap, and what crawlers should leave alone: the admin, the
    sign-in pages, and the addresses that open spoilers on request (they
    also say ``X-Robots-Tag: noindex``)."""

    template_name = "robots.txt"
    content_type = "text/plain"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # From the Site, as every absolute URL the club hands out: the Host
        # header is the client's choice.
        site = Site.find_for_request(self.request)
        root = site.root_url if site is not None else ""
        context["sitemap_url"] = root + reverse("sitemap")
        return context


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's, with a download view that asks who may see a document first.
    path("documents/", include("reviews.document_urls")),
    path("api/v2/openapi.json", v2_openapi_view, name="api_v2_openapi"),
    path("api/v2/", api_router.urls),
    path("api/v3/", api_v3.urls),
    path(
        "sitemap.xml",
        read_only(sitemap),
        {"sitemaps": {"wagtail": ReachablePagesSitemap}},
        name="sitemap",
    ),
    path("robots.txt", read_only(RobotsView.as_view()), name="robots_txt"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(next_page="/"),
        name="logout",
    ),
    path(
        "accounts/password-reset/",
        ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        UnlockingPasswordResetConfirmView.as_view(form_class=ClubSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("reviews.urls")),
]

if settings.DEBUG:
    # The uploads, but for documents, which go through their own address.
    urlpatterns += media_urls()

urlpatterns += [path("", include(wagtail_urls))]

# A database outage outside a view is still a 503, not a traceback.
handler400 = "bookclub.errors.bad_request"
handler500 = "bookclub.errors.server_error"
