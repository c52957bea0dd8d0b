"""Books get a slug, the address of their page: added blank, then filled in
from each title (unique). The next migration makes it unique."""

from django.db import migrations, models

from reviews.models.books import unique_book_slug


def fill_slugs(apps, schema_editor):
    Book = apps.get_model("reviews", "Book")
    for book in Book.objects.filter(slug="").order_by("pk").only("pk", "title"):
        book.slug = unique_book_slug(Book.objects, book.title, book.pk)
        book.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="slug",
            field=models.SlugField(blank=True, default="", max_length=255),
            preserve_default=False,
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
    ]
