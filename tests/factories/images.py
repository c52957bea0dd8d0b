"""Images for covers and body blocks, generated (no downloaded files)."""

from __future__ import annotations


def make_image(title: str = "Cover", width: int = 160, height: int = 240):
    """A real (small) PNG in the image library, for covers and body images.

    160x240 is the covers' thumbnail size (``fill-160x240``), so a thumbnail
    is as wide as on a real cover (Wagtail never enlarges); larger images
    only made Pillow's decoding and encoding of each rendition slower: at
    400x600, a sixth of the CPU of the files that render the most images."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    return get_image_model().objects.create(
        title=title,
        file=get_test_image_file(size=(width, height)),
    )


def cover_png(title: str, colour: tuple[int, int, int] = (122, 46, 31)) -> bytes:
    """A small generated book cover, as PNG bytes (no downloaded files)."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    picture = PILImage.new("RGB", (200, 300), colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((10, 10, 190, 290), outline=(255, 255, 255), width=3)
    draw.text((24, 120), title[:16], fill=(255, 255, 255), font_size=20)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def make_cover(title: str, colour: tuple[int, int, int] = (122, 46, 31)):
    """A Wagtail image holding a generated cover for ``title``."""
    import io

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    slug = "".join(c for c in title.lower() if c.isalnum()) or "cover"
    file = ImageFile(io.BytesIO(cover_png(title, colour)), name=f"{slug}.png")
    image = get_image_model()(title=f"Cover: {title}")
    image.file.save(f"{slug}.png", file, save=False)
    image.save()
    return image
