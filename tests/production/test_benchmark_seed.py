"""The benchmark's bulk seeding builds a valid page tree that the site serves
exactly like pages created through Wagtail."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from benchmarks.endpoints import ENDPOINTS, expand
from benchmarks.seed import SEARCH_TERM, reveal_paths, seed
from reviews.models import ReviewIndexPage, ReviewPage


@pytest.mark.django_db
def test_bulk_seeded_reviews_form_a_valid_tree_and_are_served(client):
    seed(60, report=lambda line: None)

    assert ReviewPage.objects.live().count() == 60
    problems = Page.find_problems()
    assert all(not found for found in problems), problems
    index = ReviewIndexPage.objects.get()
    assert index.get_children().count() == index.numchild == 60

    review = ReviewPage.objects.live().order_by("pk").last()
    assert len(review.body) == 6
    assert {block.block_type for block in review.body} >= {"paragraph", "spoiler"}
    assert review.tags.count() == 2

    page = client.get(review.url)
    assert page.status_code == 200
    assert b'class="spoiler spoiler--hidden"' in page.content
    (reveal,) = reveal_paths([review])
    revealed = client.get(reveal)
    assert revealed.status_code == 200 and b"<p>" in revealed.content

    listing = client.get(
        "/api/v2/pages/?type=reviews.ReviewPage&fields=*&limit=20"
    ).json()
    assert listing["meta"]["total_count"] == 60
    body = listing["items"][0]["body"]
    spoiler = next(block for block in body if block["type"] == "spoiler")
    assert spoiler["value"]["hidden"] is True and spoiler["value"]["content"] is None

    found = client.get(
        f"/api/v2/pages/?type=reviews.ReviewPage&search={SEARCH_TERM}"
    ).json()
    assert found["meta"]["total_count"] >= 2


def test_every_endpoint_expands_to_concrete_paths():
    for endpoint in ENDPOINTS:
        for template in endpoint.candidates:
            paths = expand(
                template,
                ids=[3, 4],
                urls=["/a/", "/b/"],
                term="x",
                reveals=["/club/reveal/3/x/"],
            )
            assert paths and all("{" not in path for path in paths)


def test_fresh_endpoints_rotate_through_distinct_search_terms():
    fresh = [
        endpoint
        for endpoint in ENDPOINTS
        if endpoint.fresh and "{terms}" in endpoint.candidates[0]
    ]
    assert {endpoint.key for endpoint in fresh} >= {"search_terms", "search_html_terms"}
    for endpoint in fresh:
        paths = expand(
            endpoint.candidates[0],
            ids=[3],
            urls=["/a/"],
            term="x",
            terms=["Winter bread 1", "Frost the 2"],
        )
        assert len(set(paths)) == 2
        assert all("Winter+bread+1" in p or "Frost+the+2" in p for p in paths)


def test_the_long_tail_rows_reach_every_review_and_start_apart():
    tail = {e.key: e for e in ENDPOINTS if e.key.startswith("tail_")}
    cold = [e for e in tail.values() if e.fresh]
    assert {e.key for e in cold} == {"tail_v2_cold", "tail_v3_cold", "tail_html_cold"}
    assert len({e.fresh_start for e in cold}) == 3
    for endpoint in tail.values():
        paths = expand(
            endpoint.candidates[0],
            ids=[3],
            urls=["/a/"],
            term="x",
            any_ids=[5, 6, 7],
            any_urls=["/r/5/", "/r/6/", "/r/7/"],
        )
        assert len(set(paths)) == 3
        if endpoint.warm_of:
            assert tail[endpoint.warm_of].candidates == endpoint.candidates


def test_the_profile_says_before_seeding_when_its_cold_rows_need_more_reviews(
    capsys,
):
    from argparse import Namespace

    from benchmarks import profile

    args = Namespace(
        rows="tail_v2_cold,tail_v3_cold,static",
        reviews=200,
        requests=100,
        cprofile=False,
        callgrind=False,
        redis_url=None,
        json=None,
    )

    assert profile.main(args) == 2
    printed = capsys.readouterr()
    assert "2 cold rows of 100 requests need at least 204 reviews" in printed.err
    assert "seeding" not in printed.out


@pytest.mark.django_db
def test_the_rebuild_measure_times_each_hot_url_after_a_publish():
    from benchmarks.endpoints import HOT_PATHS
    from benchmarks.rebuilds import measure

    seed(12, report=lambda line: None)

    writes, rebuilds, statements = measure(rounds=2)

    assert writes.status == [200, 200]
    assert [rebuild.path for rebuild in rebuilds] == list(HOT_PATHS)
    for rebuild in rebuilds:
        assert rebuild.status == [200, 200], rebuild
        assert len(rebuild.total_ms) == 2
    # A publish retires the review listings: each is built again, with SQL.
    review_index = next(r for r in rebuilds if r.path == "/reviews/")
    assert min(review_index.queries) > 1
    assert any(path == "/reviews/" for path, _ in statements)


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["publish", "comment", "vote", "rsvp"])
def test_the_rebuild_measure_makes_each_write_of_the_benchmark(write):
    """Through the views the benchmark's writer posts to: each write is
    acknowledged (a redirect) and counted; a publish retires the review
    index, the other writes none of the hot URLs (each served kept: one
    query for the tag versions)."""
    from benchmarks.edge import club_for_writes
    from benchmarks.rebuilds import measure

    seed(12, report=lambda line: None)
    club_for_writes()

    writes, rebuilds, _ = measure(rounds=1, write=write, cprofile=True)

    assert writes.status == [302], writes
    assert writes.queries[0] > 0 and writes.sql
    assert writes.wall_ms[0] > 0 and writes.cpu_ms[0] > 0
    assert "reviews/" in writes.profile
    rebuilt = {r.path for r in rebuilds if r.status == [200] and r.queries[0] > 1}
    if write == "publish":
        assert "/reviews/" in rebuilt
    else:
        assert rebuilt == set()
