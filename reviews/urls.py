"""The plugin's own URLs. A site includes them with ``include("reviews.urls")``."""

from django.urls import path

from . import views
from .feeds import LatestReviewsFeed

app_name = "reviews"

urlpatterns = [
    path("feeds/reviews/", LatestReviewsFeed(), name="review_feed"),
    path("reading/", views.my_reading, name="my_reading"),
    path("reading/<int:book_id>/", views.update_progress, name="update_progress"),
    path(
        "reading/<int:book_id>/remove/", views.remove_progress, name="remove_progress"
    ),
    path("search/", views.search, name="search"),
]
