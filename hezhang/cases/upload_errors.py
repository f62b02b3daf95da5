"""Photo and video refusals in the reader's language.

The checks (photos.py, videos.py) are plain Python and speak Chinese; each error also carries its stable code,
the file name and the limit it broke, from which this module says the same thing through the translation
catalogue. In Chinese the result is the checks' own sentence.
"""

from django.utils.translation import gettext as _

from hezhang.cases.photos import PhotoError
from hezhang.cases.videos import VideoError


def describe(error: PhotoError | VideoError) -> str:
    name, limit = error.name, error.limit
    if isinstance(error, VideoError):
        named = {
            "empty": _("文件 %(name)s 是空的"),
            "too_large": _("视频 %(name)s 超过 %(limit)s"),
            "not_video": _("文件 %(name)s 不是视频（只接受 MP4、MOV、WebM）"),
            "damaged": _("视频 %(name)s 已损坏或不完整，无法读取"),
        }
        unnamed = {
            "empty": _("文件是空的"),
            "too_large": _("视频超过 %(limit)s"),
            "not_video": _("文件不是视频（只接受 MP4、MOV、WebM）"),
            "damaged": _("视频已损坏或不完整，无法读取"),
        }
    else:
        named = {
            "empty": _("文件 %(name)s 是空的"),
            "too_large": _("照片 %(name)s 超过 %(limit)s"),
            "not_image": _("文件 %(name)s 不是图片（只接受 %(limit)s）"),
            "damaged": _("照片 %(name)s 已损坏，无法读取"),
            "heif_unsupported": _(
                "照片 %(name)s 是 HEIC/HEIF 格式，本服务器暂不支持；"
                "请改传 JPEG（iPhone 可在“设置 › 相机 › 格式”中选择“兼容性最佳”）"
            ),
        }
        unnamed = {
            "empty": _("文件是空的"),
            "too_large": _("照片超过 %(limit)s"),
            "not_image": _("文件不是图片（只接受 %(limit)s）"),
            "damaged": _("照片已损坏，无法读取"),
            "heif_unsupported": _(
                "照片是 HEIC/HEIF 格式，本服务器暂不支持；"
                "请改传 JPEG（iPhone 可在“设置 › 相机 › 格式”中选择“兼容性最佳”）"
            ),
            "too_many_pixels": _("照片尺寸过大（超过 %(limit)s 像素），可能是恶意文件"),
        }
    template = (named if name else unnamed).get(error.code) or unnamed.get(error.code)
    if template is None:
        return str(error)
    return template % {"name": name, "limit": limit}
