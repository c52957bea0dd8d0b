from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = _("Book club")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from .api.block_schemas import type_club_streams_in_wagtail_api
        from .api.page_writes import accept_club_input
        from .checks import (
            check_database_triggers,
            check_finish_workflow_action,
            check_frontend_cache_order,
            check_reader_middleware,
            check_rich_text_editor,
        )
        from .page_copies import use_atomic_page_copies
        from .page_forms import use_club_page_forms
        from .rich_text import use_visible_database_formats, use_visible_links_in_html
        from .signal_handlers import register_signal_handlers
        from .site_root import use_versioned_site_lookup, use_versioned_site_root_paths
        from .sqlite_triggers import restore as restore_sqlite_triggers
        from .views import page_context  # noqa: F401  (registers page builders)

        checks.register(check_reader_middleware)
        checks.register(check_frontend_cache_order)
        checks.register(check_database_triggers)
        checks.register(check_rich_text_editor)
        checks.register(check_finish_workflow_action)
        register_signal_handlers()
        # After every migrate: a table rebuilt on SQLite lost its triggers.
        post_migrate.connect(restore_sqlite_triggers, sender=self)
        use_versioned_site_root_paths()
        use_versioned_site_lookup()
        type_club_streams_in_wagtail_api()
        accept_club_input()
        use_club_page_forms()
        use_visible_database_formats()
        use_visible_links_in_html()
        use_atomic_page_copies()
