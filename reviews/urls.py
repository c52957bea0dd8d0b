"""The plugin's own URLs. A site includes them with ``include("reviews.urls")``."""

from django.urls import path

from .feeds import LatestReviewsFeed

app_name = "reviews"

urlpatterns = [
    path("feeds/reviews/", LatestReviewsFeed(), name="review_feed"),
]
