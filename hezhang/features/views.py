"""OGC API – Features Part 1 (Core) over the registry's layers and cases, for QGIS, OWSLib and any other client.

Landing page, conformance, collections, items (GeoJSON, bbox, limit/offset paging with next/prev links,
datetime where a collection has one) and single items. Geometries are WGS84 lon/lat, i.e. CRS84, the default
the standard asks for. Parameters a client may not send are refused with 400, as the standard requires.
"""

import base64
import datetime
import json
import re

from django.contrib.auth import authenticate
from django.db.models import Max, Min
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from hezhang.features.collections import COLLECTIONS, Collection

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ITEM_PARAMS = {"bbox", "bbox-crs", "limit", "offset", "datetime", "f", "crs"}
JSON = "application/json"
GEOJSON = "application/geo+json"


class OgcError(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _answer(body: dict, content_type: str = JSON, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), content_type=content_type, status=status
    )


def _error(exc: OgcError) -> HttpResponse:
    response = _answer({"code": exc.code, "description": exc.description}, status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="hezhang"'
    return response


def _user(request):
    """The user by session, DRF token or HTTP Basic (what QGIS's authentication settings send); None if anonymous."""
    if request.user.is_authenticated:
        return request.user
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Token "):
        try:
            found = TokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            raise OgcError(401, "Unauthorized", _("令牌无效")) from None
        return found[0] if found else None
    if header.startswith("Basic "):
        try:
            username, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OgcError(401, "Unauthorized", _("用户名或密码格式不正确")) from None
        user = authenticate(request, username=username, password=password)
        if user is None:
            raise OgcError(401, "Unauthorized", _("用户名或密码不正确"))
        return user
    return None


def _base(request) -> str:
    return request.build_absolute_uri(reverse("features:landing")).rstrip("/")


def _collection(request, collection_id: str) -> tuple[Collection, object]:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise OgcError(404, "NotFound", _("没有这个要素集：%(id)s") % {"id": collection_id})
    user = _user(request)
    if not collection.public and user is None:
        raise OgcError(401, "Unauthorized", _("此要素集需要登录"))
    return collection, user


def _has_bbox_columns(collection: Collection, user) -> bool:
    return any(f.name == "min_lon" for f in collection.rows(user).model._meta.fields)


def _extent(collection: Collection, user) -> list[float] | None:
    rows = collection.rows(user)
    if _has_bbox_columns(collection, user):
        box = rows.aggregate(a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat"))
    else:
        box = rows.aggregate(a=Min("lon"), b=Min("lat"), c=Max("lon"), d=Max("lat"))
    values = [box[k] for k in "abcd"]
    return None if None in values else [round(v, 6) for v in values]


def _describe(request, collection: Collection, user, with_extent: bool = True) -> dict:
    base = f"{_base(request)}/collections/{collection.id}"
    body = {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"href": base, "rel": "self", "type": JSON, "title": str(collection.title)},
            {"href": f"{base}/items", "rel": "items", "type": GEOJSON, "title": _("要素")},
        ],
    }
    if with_extent:
        spatial = _extent(collection, user)
        body["extent"] = {"spatial": {"bbox": [spatial or [73, 3, 136, 54]], "crs": CRS84}}
        if collection.datetime_field:
            times = collection.rows(user).aggregate(
                a=Min(collection.datetime_field), b=Max(collection.datetime_field)
            )
            body["extent"]["temporal"] = {
                "interval": [[t.isoformat() if t else None for t in (times["a"], times["b"])]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }
    return body


def _handle(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except OgcError as exc:
            return _error(exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


@_handle
def landing(request):
    base = _base(request)
    return _answer(
        {
            "title": _("河长制信息平台 · OGC API 要素服务"),
            "description": _("河段、水体、监测断面、排污口、公示牌与问题的要素服务（OGC API – Features）"),
            "links": [
                {"href": f"{base}/", "rel": "self", "type": JSON, "title": _("本页")},
                {
                    "href": f"{base}/api",
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                },
                {"href": f"{base}/conformance", "rel": "conformance", "type": JSON, "title": _("符合的标准")},
                {"href": f"{base}/collections", "rel": "data", "type": JSON, "title": _("要素集")},
            ],
        }
    )


@_handle
def conformance(request):
    return _answer({"conformsTo": CONFORMANCE})


@_handle
def collections(request):
    user = _user(request)
    shown = [c for c in COLLECTIONS.values() if c.public or user is not None]
    base = _base(request)
    return _answer(
        {
            "links": [{"href": f"{base}/collections", "rel": "self", "type": JSON}],
            "collections": [_describe(request, c, user) for c in shown],
        }
    )


@_handle
def collection(request, collection_id):
    found, user = _collection(request, collection_id)
    return _answer(_describe(request, found, user))


def _parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        parts = [float(x) for x in raw.split(",")]
    except ValueError:
        parts = []
    if len(parts) == 6:  # with heights, which these 2D layers ignore
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4 or not (
        -180 <= parts[0] <= 180 and -180 <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90
    ):
        raise OgcError(400, "InvalidParameterValue", _("bbox 应为 西,南,东,北 四个数（经纬度）"))
    return parts[0], parts[1], parts[2], parts[3]


def _instant(text: str, end: bool) -> datetime.datetime | None:
    if text in ("", ".."):
        return None
    day = parse_date(text) if DAY.fullmatch(text) else None
    if day is not None:  # a whole day, from its first to its last moment
        moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    else:
        moment = parse_datetime(text.replace("z", "Z"))
        if moment is None:
            raise OgcError(400, "InvalidParameterValue", _("datetime 应为 RFC 3339 时间或时间段"))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _filter_datetime(rows, field: str, raw: str):
    if "/" in raw:
        start, _sep, end = raw.partition("/")
        first, last = _instant(start, False), _instant(end, True)
        if first is None and last is None:
            raise OgcError(400, "InvalidParameterValue", _("datetime 时间段至少要有一端"))
        if first is not None:
            rows = rows.filter(**{f"{field}__gte": first})
        if last is not None:
            rows = rows.filter(**{f"{field}__lte": last})
        return rows
    moment = _instant(raw, False)
    if moment is None:
        raise OgcError(400, "InvalidParameterValue", _("datetime 应为 RFC 3339 时间或时间段"))
    if DAY.fullmatch(raw):  # a whole day
        return rows.filter(**{f"{field}__date": moment.date()})
    return rows.filter(**{field: moment})


def _int(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OgcError(400, "InvalidParameterValue", _("%(name)s 应为整数") % {"name": name}) from None
    if value < low:
        raise OgcError(
            400, "InvalidParameterValue", _("%(name)s 不能小于 %(low)d") % {"name": name, "low": low}
        )
    return min(value, high)


def _with_related(collection: Collection, rows):
    """Join the related rows the properties name, without their own geometries (a county's outline, a river's line)."""
    rows = rows.select_related(*collection.related)
    heavy = [
        f"{name}__geometry"
        for name in collection.related
        if any(f.name == "geometry" for f in rows.model._meta.get_field(name).related_model._meta.fields)
    ]
    return rows.defer(*heavy) if heavy else rows


def _geometry(obj) -> dict:
    geometry = getattr(obj, "geometry", None)
    if geometry:
        return geometry
    return {"type": "Point", "coordinates": [obj.lon, obj.lat]}


def _feature(collection: Collection, obj, base: str) -> dict:
    fid = str(getattr(obj, collection.id_field))
    return {
        "type": "Feature",
        "id": fid,
        "geometry": _geometry(obj),
        "properties": collection.properties(obj),
        "links": [{"href": f"{base}/items/{fid}", "rel": "self", "type": GEOJSON}],
    }


@_handle
def items(request, collection_id):
    found, user = _collection(request, collection_id)
    unknown = set(request.GET) - ITEM_PARAMS
    if unknown:
        raise OgcError(
            400, "InvalidParameterValue", _("不支持的参数：%(p)s") % {"p": ", ".join(sorted(unknown))}
        )
    for name in ("bbox-crs", "crs"):
        if request.GET.get(name, CRS84) != CRS84:
            raise OgcError(400, "InvalidParameterValue", _("只支持 CRS84（WGS84 经纬度）"))
    if request.GET.get("f", "json") not in ("json", "geojson"):
        raise OgcError(400, "InvalidParameterValue", _("f 只支持 json"))
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0, 10**9)
    rows = found.rows(user)
    if "bbox" in request.GET:
        west, south, east, north = _parse_bbox(request.GET["bbox"])
        if _has_bbox_columns(found, user):
            rows = rows.filter(min_lon__lte=east, max_lon__gte=west, min_lat__lte=north, max_lat__gte=south)
        else:
            rows = rows.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    if "datetime" in request.GET:
        if found.datetime_field is None:
            raise OgcError(400, "InvalidParameterValue", _("此要素集没有时间属性，不能按 datetime 筛选"))
        rows = _filter_datetime(rows, found.datetime_field, request.GET["datetime"])
    # The matching ids first, through the bbox index, then the page's rows by primary key: asking for the page
    # directly makes PostgreSQL walk the primary key in order and filter every row (it overestimates how many
    # boxes match), and the list of ids is also the count.
    ids = sorted(rows.values_list("pk", flat=True))
    matched = len(ids)
    wanted = ids[offset : offset + limit]
    page = list(_with_related(found, found.rows(user).filter(pk__in=wanted)).order_by("pk"))
    base = f"{_base(request)}/collections/{found.id}"
    links = [{"href": request.build_absolute_uri(), "rel": "self", "type": GEOJSON}]
    query = request.GET.copy()
    if offset + len(page) < matched:
        query["offset"], query["limit"] = str(offset + limit), str(limit)
        links.append({"href": f"{base}/items?{query.urlencode()}", "rel": "next", "type": GEOJSON})
    if offset > 0:
        query["offset"], query["limit"] = str(max(0, offset - limit)), str(limit)
        links.append({"href": f"{base}/items?{query.urlencode()}", "rel": "prev", "type": GEOJSON})
    links.append({"href": base, "rel": "collection", "type": JSON})
    return _answer(
        {
            "type": "FeatureCollection",
            "features": [_feature(found, obj, base) for obj in page],
            "numberMatched": matched,
            "numberReturned": len(page),
            "timeStamp": timezone.now().isoformat(timespec="seconds"),
            "links": links,
        },
        GEOJSON,
    )


@_handle
def item(request, collection_id, feature_id):
    found, user = _collection(request, collection_id)
    obj = _with_related(found, found.rows(user)).filter(**{found.id_field: feature_id}).first()
    if obj is None:
        raise OgcError(404, "NotFound", _("没有这个要素：%(id)s") % {"id": feature_id})
    base = f"{_base(request)}/collections/{found.id}"
    feature = _feature(found, obj, base)
    feature["links"] += [{"href": base, "rel": "collection", "type": JSON}]
    return _answer(feature, GEOJSON)


@_handle
def openapi(request):
    """A short OpenAPI 3.0 description of these paths (the service-desc the landing page links to)."""
    base = _base(request)
    params = {
        name: {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in (
            ("bbox", {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6}),
            ("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
            ("offset", {"type": "integer", "minimum": 0, "default": 0}),
            ("datetime", {"type": "string"}),
        )
    }
    ok = {"200": {"description": "OK"}}
    paths = {
        "/": {"get": {"summary": "Landing page", "responses": ok}},
        "/conformance": {"get": {"summary": "Conformance classes", "responses": ok}},
        "/collections": {"get": {"summary": "Collections", "responses": ok}},
        "/collections/{collectionId}": {"get": {"summary": "A collection", "responses": ok}},
        "/collections/{collectionId}/items": {
            "get": {"summary": "Features", "parameters": list(params.values()), "responses": ok}
        },
        "/collections/{collectionId}/items/{featureId}": {"get": {"summary": "A feature", "responses": ok}},
    }
    return _answer(
        {
            "openapi": "3.0.3",
            "info": {"title": "hezhang OGC API – Features", "version": "1.0"},
            "servers": [{"url": base}],
            "paths": paths,
        },
        "application/vnd.oai.openapi+json;version=3.0",
    )
