"""Photo checks and safe copies, on images drawn here with Pillow (no fixtures on disk, no network)."""

import hashlib
import io
import os
import struct
import zlib
from datetime import datetime

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.TiffImagePlugin import IFDRational

from hezhang.cases import photos
from hezhang.cases.photo_copies import public_copy, render, thumbnail
from hezhang.cases.photos import PhotoError, inspect, jpeg_structure_ok

RED = (220, 20, 20)
BLUE = (20, 20, 220)

# A point on the Qiantang River at Hangzhou, as a phone would write it:
# 30° 15' 36" N, 120° 10' 12.5" E.
LAT_DMS = (30, 15, 36)
LON_DMS = (120, 10, 12.5)
LAT = 30 + 15 / 60 + 36 / 3600
LON = 120 + 10 / 60 + 12.5 / 3600


def exif_block(
    *,
    orientation: int | None = None,
    taken: str | None = "2024:05:04 09:30:15",
    lat_ref: str | None = "N",
    lon_ref: str | None = "E",
    lat: tuple = LAT_DMS,
    lon: tuple = LON_DMS,
) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if lat_ref is not None:
        gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
    if lon_ref is not None:
        gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(v) for v in lat)
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(v) for v in lon)
    return exif


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def halves(size=(60, 40), left=RED, right=BLUE) -> Image.Image:
    """Left half one colour, right half another, so a rotation shows where each half went."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def noise(size=(200, 150)) -> Image.Image:
    # Random pixels compress badly, so every byte of the encoded file
    # carries image data and cutting it anywhere breaks decoding.
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A ~100-byte greyscale PNG whose header claims width x height, with pixel data for one row only.

    Cheap to build and to hold, and useless to decode: were it decoded, it
    would fail as truncated, so being refused as too large proves the
    refusal came from the header.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    one_row = zlib.compress(b"\x00" * (width + 1), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", one_row)
        + png_chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def can_write_heif() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    return bool(pillow_heif.libheif_info().get("HEIF"))


# --- reading what a photo says about itself ---------------------------------


def test_gps_and_capture_time_are_read_from_exif():
    data = encode(halves(), exif=exif_block())
    info = inspect(data, "IMG_01.jpg")
    assert info.format == "JPEG"
    assert (info.width, info.height) == (60, 40)
    assert info.taken_at == datetime(2024, 5, 4, 9, 30, 15)
    assert info.lat == pytest.approx(LAT, abs=1e-6)
    assert info.lon == pytest.approx(LON, abs=1e-6)
    assert info.has_location
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size_bytes == len(data)


def test_southern_and_western_references_make_coordinates_negative():
    info = inspect(encode(halves(), exif=exif_block(lat_ref="S", lon_ref="W")), "a.jpg")
    assert info.lat == pytest.approx(-LAT, abs=1e-6)
    assert info.lon == pytest.approx(-LON, abs=1e-6)


def test_a_photo_without_exif_has_no_time_and_no_place():
    info = inspect(encode(halves()), "plain.jpg")
    assert info.taken_at is None
    assert info.lon is None and info.lat is None
    assert not info.has_location
    assert info.orientation == 1


@pytest.mark.parametrize(
    "broken",
    [
        {"lat_ref": None},  # hemisphere unknown: a mirrored point is worse than none
        {"lon_ref": "X"},
        {"lat": (95, 0, 0)},
        {"lon": (120, 75, 0)},
        {"lat": (0, 0, 0), "lon": (0, 0, 0)},  # what phones write without a fix
    ],
)
def test_unusable_gps_is_ignored_but_the_photo_is_accepted(broken):
    info = inspect(encode(halves(), exif=exif_block(**broken)), "a.jpg")
    assert info.lon is None and info.lat is None
    assert info.taken_at == datetime(2024, 5, 4, 9, 30, 15)


def test_a_gps_rational_with_zero_denominator_is_ignored():
    exif = exif_block()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (
        IFDRational(30),
        IFDRational(1, 0),
        IFDRational(0),
    )
    info = inspect(encode(halves(), exif=exif), "a.jpg")
    assert info.lat is None and info.lon is None


def test_an_unset_camera_clock_gives_no_capture_time():
    info = inspect(encode(halves(), exif=exif_block(taken="0000:00:00 00:00:00")), "a.jpg")
    assert info.taken_at is None
    assert info.has_location


def test_orientation_6_swaps_the_upright_dimensions():
    info = inspect(encode(halves((60, 40)), exif=exif_block(orientation=6)), "portrait.jpg")
    assert info.orientation == 6
    assert (info.width, info.height) == (60, 40)
    assert (info.upright_width, info.upright_height) == (40, 60)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_gps_and_capture_time_are_also_read_from_png_and_webp(fmt):
    info = inspect(encode(halves(), fmt, exif=exif_block()), f"photo.{fmt.lower()}")
    assert info.format == fmt
    assert info.taken_at == datetime(2024, 5, 4, 9, 30, 15)
    assert info.lat == pytest.approx(LAT, abs=1e-6)


# --- accepted and refused files ----------------------------------------------


def test_webp_and_png_are_accepted():
    webp = inspect(encode(halves(), "WEBP", quality=80), "river.webp")
    png = inspect(encode(halves(), "PNG"), "river.png")
    assert (webp.format, webp.width, webp.height) == ("WEBP", 60, 40)
    assert (png.format, png.width, png.height) == ("PNG", 60, 40)


def test_the_format_comes_from_the_content_not_the_name():
    assert inspect(encode(halves(), "PNG"), "actually_a_png.jpg").format == "PNG"


def test_a_pdf_renamed_to_jpg_is_refused():
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    with pytest.raises(PhotoError) as refused:
        inspect(pdf, "scan.jpg")
    assert refused.value.code == "not_image"
    assert str(refused.value).startswith("文件 scan.jpg 不是图片（只接受 JPEG、PNG")
    assert "WebP" in str(refused.value)


def test_a_gif_is_refused_listing_the_accepted_formats():
    with pytest.raises(PhotoError, match=r"文件 anim\.gif 不是图片（只接受 .*JPEG.*PNG.*WebP"):
        inspect(encode(halves(), "GIF"), "anim.gif")


def test_an_empty_file_is_refused():
    with pytest.raises(PhotoError, match="文件 a.jpg 是空的"):
        inspect(b"", "a.jpg")


def test_truncated_jpeg_is_refused_as_damaged():
    data = encode(noise(), quality=90)
    with pytest.raises(PhotoError) as refused:
        inspect(data[: len(data) // 2], "IMG_02.jpg")
    assert refused.value.code == "damaged"
    assert str(refused.value) == "照片 IMG_02.jpg 已损坏，无法读取"


def test_a_png_with_a_bad_checksum_is_refused_as_damaged():
    data = bytearray(encode(noise((40, 30)), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 20] ^= 0xFF  # flip bits inside the compressed pixels; the chunk CRC no longer matches
    with pytest.raises(PhotoError, match="已损坏"):
        inspect(bytes(data), "bad.png")


def test_a_file_with_a_photo_signature_but_garbage_after_it_is_called_damaged_not_foreign():
    with pytest.raises(PhotoError) as refused:
        inspect(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cut.png")
    assert refused.value.code == "damaged"


def test_decompression_bomb_is_refused_before_decoding(monkeypatch):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = png_claiming(50_000, 50_000)  # 2.5 billion pixels in about a hundred bytes
    assert len(bomb) < 1000
    with pytest.raises(PhotoError) as refused:
        inspect(bomb, "bomb.png")
    assert refused.value.code == "too_many_pixels"
    assert str(refused.value).startswith("照片尺寸过大（超过 ")
    assert "可能是恶意文件" in str(refused.value)
    with pytest.raises(PhotoError, match="照片尺寸过大"):
        public_copy(bomb)


def test_our_pixel_limit_applies_below_pillows_own(monkeypatch):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    # 7000 x 6000 = 42 MP: under Pillow's 89 MP warning threshold, over our 40 MP.
    with pytest.raises(PhotoError) as refused:
        inspect(png_claiming(7000, 6000), "big.png")
    assert str(refused.value) == "照片尺寸过大（超过 4000 万像素），可能是恶意文件"


def test_the_pixel_limit_can_be_lowered():
    with pytest.raises(PhotoError, match="超过 0.1 万像素"):
        inspect(encode(halves((60, 40))), "a.jpg", max_pixels=1000)


def test_oversize_file_is_refused_naming_the_file():
    data = encode(halves()) + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(PhotoError) as refused:
        inspect(data, "IMG_01.jpg")
    assert refused.value.code == "too_large"
    assert str(refused.value) == "照片 IMG_01.jpg 超过 10 MB"


def test_a_lower_byte_limit_is_named_in_the_message():
    with pytest.raises(PhotoError, match=r"照片 a\.jpg 超过 0\.5 MB"):
        inspect(b"\xff" * (600 * 1024), "a.jpg", max_bytes=512 * 1024)


def test_error_messages_name_only_the_base_name_of_a_client_path():
    with pytest.raises(PhotoError, match=r"^文件 notes\.jpg 不是图片"):
        inspect(b"hello", "C:\\fakepath\\notes.jpg")


@pytest.mark.skipif(not can_write_heif(), reason="pillow-heif is missing or has no HEIF encoder")
def test_heic_photo_is_accepted():
    # Passed as bytes so pillow-heif turns orientation 6 into the container's
    # own rotation, the way phones write HEIC.
    exif = exif_block(orientation=6).tobytes()
    data = encode(halves((64, 48)), "HEIF", exif=exif, quality=60)
    info = inspect(data, "IMG_0001.HEIC")
    assert info.format == "HEIF"
    # pillow-heif hands the photo over already upright.
    assert (info.upright_width, info.upright_height) == (48, 64)
    assert info.taken_at == datetime(2024, 5, 4, 9, 30, 15)
    assert info.lat == pytest.approx(LAT, abs=1e-6)
    assert info.lon == pytest.approx(LON, abs=1e-6)

    copy = opened(public_copy(data))
    assert copy.format == "JPEG"
    assert copy.size == (48, 64)
    assert not copy.getexif()


def test_heic_is_refused_with_a_clear_message_when_pillow_heif_is_missing(monkeypatch):
    monkeypatch.setattr(photos, "heif_supported", lambda: False)
    # Only the start of a HEIC file: its "ftyp" box with the "heic" brand.
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64
    with pytest.raises(PhotoError) as refused:
        inspect(heic, "IMG_0001.HEIC")
    assert refused.value.code == "heif_unsupported"
    assert str(refused.value).startswith("照片 IMG_0001.HEIC 是 HEIC/HEIF 格式，本服务器暂不支持")
    assert "JPEG" in str(refused.value)


def test_without_pillow_heif_the_refusal_of_other_files_does_not_offer_heic(monkeypatch):
    monkeypatch.setattr(photos, "heif_supported", lambda: False)
    with pytest.raises(PhotoError, match=r"（只接受 JPEG、PNG、WebP）$"):
        inspect(b"%PDF-1.4", "a.pdf")


# --- copies that are safe to publish ----------------------------------------


def test_public_copy_has_no_exif_and_no_gps():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(halves(), exif=exif_block(), comment="作者 13800000000", icc_profile=srgb)
    # The source does carry all of it.
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"13800000000" in source and b"TestPhone" in source

    data = public_copy(source)
    copy = opened(data)
    assert copy.format == "JPEG"
    assert not copy.getexif()
    assert "exif" not in copy.info
    assert "icc_profile" not in copy.info
    assert "comment" not in copy.info
    assert b"Exif" not in data
    assert b"TestPhone" not in data
    assert b"13800000000" not in data


def test_public_copy_is_rotated_upright_per_orientation():
    # Orientation 6: the stored picture must be turned a quarter turn
    # clockwise to be seen upright, which brings its left edge to the top.
    source = encode(halves((60, 40), left=RED, right=BLUE), exif=exif_block(orientation=6), quality=95)
    copy = opened(public_copy(source))
    assert copy.size == (40, 60)
    assert close_to(copy.getpixel((20, 5)), RED)
    assert close_to(copy.getpixel((20, 55)), BLUE)
    assert not copy.getexif()  # no orientation tag left to rotate it a second time


def test_public_copy_is_downsized_to_max_side_but_never_enlarged():
    large = opened(public_copy(encode(halves((2000, 1000)))))
    assert large.size == (1600, 800)
    custom = opened(public_copy(encode(halves((2000, 1000))), max_side=500))
    assert custom.size == (500, 250)
    small = opened(public_copy(encode(halves((60, 40)))))
    assert small.size == (60, 40)


def test_transparent_png_public_copy_is_flattened_to_jpeg():
    image = Image.new("RGBA", (60, 40), (0, 0, 0, 0))  # transparent black on the left
    image.paste((*RED, 255), (30, 0, 60, 40))
    copy = opened(public_copy(encode(image, "PNG")))
    assert copy.format == "JPEG"
    assert copy.mode == "RGB"
    assert close_to(copy.getpixel((5, 20)), (255, 255, 255), tolerance=8)
    assert close_to(copy.getpixel((55, 20)), RED)


def test_a_palette_png_with_a_transparent_colour_is_flattened_on_white():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, *RED] + [0] * (256 * 3 - 6))
    image.paste(1, (10, 0, 20, 20))
    copy = opened(public_copy(encode(image, "PNG", transparency=0)))
    assert close_to(copy.getpixel((2, 10)), (255, 255, 255), tolerance=8)
    assert close_to(copy.getpixel((17, 10)), RED)


def test_a_16_bit_greyscale_png_keeps_its_tones():
    image = Image.new("I;16", (20, 20), 40_000)  # 61% grey, not white
    copy = opened(public_copy(encode(image, "PNG")))
    grey = copy.getpixel((10, 10))
    assert all(145 <= channel <= 165 for channel in grey)


def test_thumbnail_is_a_small_jpeg_without_metadata():
    source = encode(halves((1200, 900)), exif=exif_block(orientation=6))
    data = thumbnail(source)
    thumb = opened(data)
    assert thumb.format == "JPEG"
    assert thumb.size == (240, 320)  # fitted upright inside 320 x 320, not cropped
    assert not thumb.getexif()
    assert b"TestPhone" not in data
    assert opened(thumbnail(source, side=100)).size == (75, 100)


def test_public_copy_and_thumbnail_refuse_what_is_not_a_photo():
    with pytest.raises(PhotoError, match="^文件不是图片"):
        public_copy(b"%PDF-1.4")
    data = encode(noise(), quality=90)
    with pytest.raises(PhotoError, match="^照片已损坏，无法读取$"):
        thumbnail(data[: len(data) // 2])


def test_a_whole_jpeg_passes_the_structure_walk_and_a_cut_one_does_not():
    data = encode(noise(), quality=90)
    assert jpeg_structure_ok(data)
    assert not jpeg_structure_ok(data[: len(data) - 40])
    assert not jpeg_structure_ok(b"\xff\xd8\xff\xe0" + b"\x00" * 40)


def test_inspect_without_decoding_still_refuses_a_cut_off_jpeg_and_reads_its_exif():
    data = encode(noise(), quality=90)
    with pytest.raises(PhotoError) as refused:
        inspect(data[: len(data) // 2], "IMG_03.jpg", decode=False)
    assert refused.value.code == "damaged"
    info = inspect(data, "IMG_03.jpg", decode=False)
    assert (info.format, info.width, info.height) == ("JPEG", *Image.open(io.BytesIO(data)).size)


def test_render_makes_both_copies_from_one_decode_without_metadata():
    big = encode(noise((2000, 1500)), quality=90)
    copies = render(big, max_side=800, thumb_side=200)
    public, small = Image.open(io.BytesIO(copies.public)), Image.open(io.BytesIO(copies.thumbnail))
    assert public.size == (800, 600) and small.size == (200, 150)
    assert not public.getexif() and not small.getexif()
