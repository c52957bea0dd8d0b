from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0009_book_slug"),
    ]

    operations = [
        migrations.AlterField(
            model_name="book",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text=(
                    "The book's address on the site, /books/<slug>/. Leave blank "
                    "to make one from the title; changing it breaks links to the "
                    "old address."
                ),
                max_length=255,
                unique=True,
                verbose_name="slug",
            ),
        ),
    ]
