"""The 阿里云 and 腾讯云 SMS adapters, driven through fake SDK modules shaped like the official ones."""

import json
import sys
import types

import pytest

from hezhang.notifications import delivery
from hezhang.notifications.models import OutboxMessage, Status
from hezhang.notifications.providers import AliyunSms, DeliveryError, TencentSms, normalize_phone

pytestmark = pytest.mark.django_db


class Record:
    """Stands in for an SDK model: keeps whatever it is constructed or set with."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def install(monkeypatch, modules: dict[str, dict]) -> None:
    for name, attributes in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, name, module)


@pytest.fixture
def aliyun(monkeypatch, settings):
    settings.HEZHANG_SMS_PROVIDER = "aliyun"
    settings.HEZHANG_SMS_ACCESS_KEY_ID = "LTAI-test"
    settings.HEZHANG_SMS_ACCESS_KEY_SECRET = "secret"
    settings.HEZHANG_SMS_SIGN_NAME = "河长制"
    settings.HEZHANG_SMS_TEMPLATE_CODES = ["assigned=SMS_100001", "urged=SMS_100002"]
    sent = types.SimpleNamespace(
        config=None, request=None, body=Record(code="OK", message="OK", biz_id="9876^0")
    )

    class Client:
        def __init__(self, config):
            sent.config = config

        def send_sms(self, request):
            sent.request = request
            return Record(body=sent.body)

    install(
        monkeypatch,
        {
            "alibabacloud_dysmsapi20170525": {},
            "alibabacloud_dysmsapi20170525.client": {"Client": Client},
            "alibabacloud_dysmsapi20170525.models": {"SendSmsRequest": Record},
            "alibabacloud_tea_openapi": {},
            "alibabacloud_tea_openapi.models": {"Config": Record},
        },
    )
    sys.modules["alibabacloud_dysmsapi20170525"].models = sys.modules["alibabacloud_dysmsapi20170525.models"]
    sys.modules["alibabacloud_tea_openapi"].models = sys.modules["alibabacloud_tea_openapi.models"]
    return sent


@pytest.fixture
def tencent(monkeypatch, settings):
    settings.HEZHANG_SMS_PROVIDER = "tencent"
    settings.HEZHANG_SMS_ACCESS_KEY_ID = "AKID-test"
    settings.HEZHANG_SMS_ACCESS_KEY_SECRET = "secret"
    settings.HEZHANG_SMS_SDK_APP_ID = "1400000001"
    settings.HEZHANG_SMS_TEMPLATE_CODES = ["assigned=2000001"]
    sent = types.SimpleNamespace(
        client=None, request=None, statuses=[Record(Code="Ok", Message="send success", SerialNo="2645:1")]
    )

    class SmsClient:
        def __init__(self, credential, region, profile):
            sent.client = Record(credential=credential, region=region, profile=profile)

        def SendSms(self, request):  # noqa: N802 — the SDK's name
            sent.request = request
            return Record(SendStatusSet=sent.statuses, RequestId="r-1")

    class Bare:
        """Tencent's models are built empty and filled by attribute."""

    install(
        monkeypatch,
        {
            "tencentcloud": {},
            "tencentcloud.common": {},
            "tencentcloud.common.credential": {
                "Credential": lambda sid, key: Record(secret_id=sid, secret_key=key)
            },
            "tencentcloud.common.profile": {},
            "tencentcloud.common.profile.client_profile": {"ClientProfile": Bare},
            "tencentcloud.common.profile.http_profile": {"HttpProfile": Bare},
            "tencentcloud.sms": {},
            "tencentcloud.sms.v20210111": {},
            "tencentcloud.sms.v20210111.models": {"SendSmsRequest": Bare},
            "tencentcloud.sms.v20210111.sms_client": {"SmsClient": SmsClient},
        },
    )
    sys.modules["tencentcloud.common"].credential = sys.modules["tencentcloud.common.credential"]
    sms_package = sys.modules["tencentcloud.sms.v20210111"]
    sms_package.models = sys.modules["tencentcloud.sms.v20210111.models"]
    sms_package.sms_client = sys.modules["tencentcloud.sms.v20210111.sms_client"]
    return sent


def assigned_sms(**fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        **{
            "channel": "sms",
            "to": "13900000001",
            "body": "【河长制】您有新交办事项AJ1「排污口」，请于2025-06-30前办结。",
            "template": "assigned",
            "params": [["code", "AJ1"], ["title", "排污口"], ["deadline", "2025-06-30"]],
            **fields,
        }
    )


def test_aliyun_adapter_builds_the_documented_request(aliyun):
    message = assigned_sms()
    assert delivery.deliver(message) == "sent"
    config, request = aliyun.config, aliyun.request
    assert (config.access_key_id, config.access_key_secret) == ("LTAI-test", "secret")
    assert (config.endpoint, config.region_id) == ("dysmsapi.aliyuncs.com", "cn-hangzhou")
    assert (config.connect_timeout, config.read_timeout) == (10000, 10000)
    assert request.phone_numbers == "13900000001"
    assert (request.sign_name, request.template_code) == ("河长制", "SMS_100001")
    assert json.loads(request.template_param) == {"code": "AJ1", "title": "排污口", "deadline": "2025-06-30"}
    assert request.out_id == str(message.pk)
    message.refresh_from_db()
    assert (message.status, message.provider, message.provider_message_id) == (
        Status.SENT,
        "aliyun",
        "9876^0",
    )


def test_aliyun_refusal_is_recorded_and_retried(aliyun):
    aliyun.body = Record(code="isv.MOBILE_NUMBER_ILLEGAL", message="非法手机号", biz_id=None)
    message = assigned_sms()
    assert delivery.deliver(message) == "retry"
    message.refresh_from_db()
    assert message.last_error == "阿里云短信未发送：isv.MOBILE_NUMBER_ILLEGAL 非法手机号"


def test_events_without_their_own_template_use_the_general_one(aliyun, settings):
    settings.HEZHANG_SMS_TEMPLATE_CODE = "SMS_999999"
    message = assigned_sms(template="alert")
    delivery.deliver(message)
    assert aliyun.request.template_code == "SMS_999999"
    assert json.loads(aliyun.request.template_param) == {
        "content": "您有新交办事项AJ1「排污口」，请于2025-06-30前办结。"
    }


def test_an_event_with_no_template_at_all_says_what_to_configure(aliyun):
    message = assigned_sms(template="alert")
    delivery.deliver(message)
    message.refresh_from_db()
    assert "HEZHANG_SMS_TEMPLATE_CODES" in message.last_error and "alert" in message.last_error


def test_tencent_adapter_builds_the_documented_request(tencent):
    message = assigned_sms()
    assert delivery.deliver(message) == "sent"
    client, request = tencent.client, tencent.request
    assert (client.credential.secret_id, client.credential.secret_key) == ("AKID-test", "secret")
    assert client.region == "ap-guangzhou"
    assert client.profile.httpProfile.endpoint == "sms.tencentcloudapi.com"
    assert client.profile.httpProfile.reqTimeout == 10
    assert (request.SmsSdkAppId, request.SignName, request.TemplateId) == ("1400000001", "河长制", "2000001")
    assert request.TemplateParamSet == ["AJ1", "排污口", "2025-06-30"]
    assert request.PhoneNumberSet == ["+8613900000001"]
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (Status.SENT, "2645:1")


def test_tencent_refusal_is_recorded(tencent):
    tencent.statuses = [Record(Code="LimitExceeded.PhoneNumberDailyLimit", Message="单日上限", SerialNo="")]
    message = assigned_sms()
    delivery.deliver(message)
    message.refresh_from_db()
    assert message.last_error == "腾讯云短信未发送：LimitExceeded.PhoneNumberDailyLimit 单日上限"


def test_tencent_needs_its_sms_app_id(tencent, settings):
    settings.HEZHANG_SMS_SDK_APP_ID = ""
    with pytest.raises(DeliveryError, match="HEZHANG_SMS_SDK_APP_ID"):
        TencentSms().send(assigned_sms())


def test_an_sdk_exception_is_recorded_with_its_class(aliyun, monkeypatch):
    class TeaException(Exception):
        pass

    def timeout(self, request):
        raise TeaException("connect timeout")

    monkeypatch.setattr(sys.modules["alibabacloud_dysmsapi20170525.client"].Client, "send_sms", timeout)
    message = assigned_sms()
    delivery.deliver(message)
    message.refresh_from_db()
    assert message.last_error == "TeaException: connect timeout"


@pytest.mark.parametrize(
    "provider, package, hint",
    [
        (AliyunSms, "alibabacloud_dysmsapi20170525", "pip install alibabacloud_dysmsapi20170525"),
        (TencentSms, "tencentcloud", "pip install tencentcloud-sdk-python"),
    ],
)
def test_missing_sdk_gives_a_clear_error(monkeypatch, settings, provider, package, hint):
    # None in sys.modules makes the import fail even where the SDK happens to be installed.
    monkeypatch.setitem(sys.modules, package, None)
    settings.HEZHANG_SMS_PROVIDER = provider.name
    message = assigned_sms()
    assert delivery.deliver(message) == "retry"
    message.refresh_from_db()
    assert message.last_error.startswith("未安装") and message.last_error.endswith(hint)
    assert message.provider == provider.name


def test_missing_credentials_are_named(aliyun, settings):
    settings.HEZHANG_SMS_ACCESS_KEY_SECRET = ""
    with pytest.raises(DeliveryError, match="未配置阿里云短信：请设置 HEZHANG_SMS_ACCESS_KEY_SECRET"):
        AliyunSms().send(assigned_sms())


def test_a_malformed_template_list_is_named(aliyun, settings):
    settings.HEZHANG_SMS_TEMPLATE_CODES = ["assigned:SMS_1"]
    with pytest.raises(DeliveryError, match="assigned:SMS_1"):
        AliyunSms().send(assigned_sms())


@pytest.mark.parametrize(
    "raw, number",
    [
        ("139 0000 0001", "13900000001"),
        ("+86 139-0000-0001", "13900000001"),
        ("+852 6123 4567", "+85261234567"),
    ],
)
def test_phone_numbers_are_written_the_way_people_write_them(raw, number):
    assert normalize_phone(raw) == number
