"""Who actually sends an SMS or an email, chosen by ``HEZHANG_SMS_PROVIDER`` and ``HEZHANG_EMAIL_PROVIDER``.

- ``outbox`` (default for both): sends nothing and reports success, so the demo and the tests run offline and
  system admins can read at ``/notifications/outbox/`` exactly what would have gone out.
- ``aliyun``: 阿里云短信服务 through its official SDK (``pip install alibabacloud_dysmsapi20170525``).
- ``tencent``: 腾讯云短信 through its official SDK (``pip install tencentcloud-sdk-python``).
- ``django`` (email): Django's email backend, i.e. the SMTP server in ``HEZHANG_EMAIL_HOST`` and friends.

The SDKs are imported only when a message is sent; they are not dependencies of the platform.

Both SMS services send only approved templates. ``HEZHANG_SMS_TEMPLATE_CODES`` maps events to template codes
(``assigned=SMS_123456,urged=SMS_234567`` on 阿里云, ``assigned=1234567,…`` on 腾讯云); each template's variables
are the placeholders of the event's ``sms`` text in ``templates_text.py``. Events without their own code use
``HEZHANG_SMS_TEMPLATE_CODE``, a general template with one variable ``content`` (the whole text).
"""

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

ALIYUN_SDK_MISSING = "未安装阿里云短信 SDK：pip install alibabacloud_dysmsapi20170525"
TENCENT_SDK_MISSING = "未安装腾讯云短信 SDK：pip install tencentcloud-sdk-python"

MAINLAND_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
INTERNATIONAL = re.compile(r"^\+(?!86)\d{7,15}$")


class DeliveryError(Exception):
    """A send that did not happen, worded for the system admin who reads it in the outbox. Retried later."""


class Undeliverable(DeliveryError):
    """A message no retry can send (the address itself is wrong): it fails at once."""


@dataclass(frozen=True)
class Sent:
    provider: str
    message_id: str = ""


def normalize_phone(raw: str) -> str:
    """Digits (and a leading +) only; mainland mobiles without their +86, as people write them."""
    number = re.sub(r"[\s\-()（）]", "", raw or "")
    mainland = MAINLAND_MOBILE.match(number)
    return mainland.group(1) if mainland else number


def check_address(channel: str, to: str) -> None:
    if channel == "sms":
        if not (MAINLAND_MOBILE.match(to) or INTERNATIONAL.match(to)):
            raise Undeliverable(f"不是有效的手机号码：{to}")
    else:
        try:
            validate_email(to)
        except ValidationError:
            raise Undeliverable(f"不是有效的电子邮箱：{to}") from None


class OutboxOnly:
    """Sends nothing: the message stays readable in the outbox, marked sent by "outbox"."""

    name = "outbox"

    def send(self, message) -> Sent:
        return Sent(self.name)


class DjangoEmail:
    name = "django"

    def send(self, message) -> Sent:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
        )
        if not email.send(fail_silently=False):
            raise DeliveryError("邮件服务器没有接受这封邮件")
        return Sent(self.name)


@dataclass(frozen=True)
class SmsAccount:
    """The SMS settings, read when a message is sent (so a changed setting needs no code change)."""

    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_code: str
    template_codes: dict[str, str]
    region: str
    endpoint: str
    app_id: str
    timeout: int

    @classmethod
    def from_settings(cls, service: str, *, needs_app_id: bool = False) -> "SmsAccount":
        required = ["HEZHANG_SMS_ACCESS_KEY_ID", "HEZHANG_SMS_ACCESS_KEY_SECRET", "HEZHANG_SMS_SIGN_NAME"]
        if needs_app_id:
            required.append("HEZHANG_SMS_SDK_APP_ID")
        missing = [name for name in required if not getattr(settings, name, "")]
        if missing:
            raise DeliveryError(f"未配置{service}：请设置 {'、'.join(missing)}")
        codes = {}
        for item in settings.HEZHANG_SMS_TEMPLATE_CODES:
            event, sep, code = item.partition("=")
            if not sep or not event.strip() or not code.strip():
                raise DeliveryError(f"HEZHANG_SMS_TEMPLATE_CODES 中的“{item}”应写作 事件=模板编号")
            codes[event.strip()] = code.strip()
        return cls(
            access_key_id=settings.HEZHANG_SMS_ACCESS_KEY_ID,
            access_key_secret=settings.HEZHANG_SMS_ACCESS_KEY_SECRET,
            sign_name=settings.HEZHANG_SMS_SIGN_NAME,
            template_code=settings.HEZHANG_SMS_TEMPLATE_CODE,
            template_codes=codes,
            region=settings.HEZHANG_SMS_REGION,
            endpoint=settings.HEZHANG_SMS_ENDPOINT,
            app_id=settings.HEZHANG_SMS_SDK_APP_ID,
            timeout=settings.HEZHANG_SMS_TIMEOUT,
        )

    def template_for(self, message) -> tuple[str, list[tuple[str, str]]]:
        """The provider's template code for this message and its variables, in template order."""
        code = self.template_codes.get(message.template)
        if code:
            return code, [(name, value) for name, value in message.params]
        if self.template_code:
            return self.template_code, [("content", message.body.removeprefix(f"【{self.sign_name}】"))]
        raise DeliveryError(
            f"未配置短信模板：请在 HEZHANG_SMS_TEMPLATE_CODES 中为“{message.template}”指定模板编号，"
            "或设置通用模板 HEZHANG_SMS_TEMPLATE_CODE"
        )


class AliyunSms:
    """阿里云短信 SendSms (API version 2017-05-25)."""

    name = "aliyun"

    def send(self, message) -> Sent:
        try:
            from alibabacloud_dysmsapi20170525 import models as sms_models
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi import models as openapi_models
        except ImportError:
            raise DeliveryError(ALIYUN_SDK_MISSING) from None
        account = SmsAccount.from_settings("阿里云短信")
        template_code, params = account.template_for(message)
        config = openapi_models.Config(
            access_key_id=account.access_key_id,
            access_key_secret=account.access_key_secret,
            region_id=account.region or "cn-hangzhou",
            endpoint=account.endpoint or "dysmsapi.aliyuncs.com",
            connect_timeout=account.timeout * 1000,
            read_timeout=account.timeout * 1000,
        )
        request = sms_models.SendSmsRequest(
            phone_numbers=message.to,
            sign_name=account.sign_name,
            template_code=template_code,
            template_param=json.dumps(dict(params), ensure_ascii=False),
            out_id=str(message.pk),
        )
        body = Client(config).send_sms(request).body
        if body.code != "OK":
            raise DeliveryError(f"阿里云短信未发送：{body.code} {body.message or ''}".strip())
        return Sent(self.name, body.biz_id or "")


class TencentSms:
    """腾讯云短信 SendSms (API version 2021-01-11)."""

    name = "tencent"

    def send(self, message) -> Sent:
        try:
            from tencentcloud.common import credential
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
            from tencentcloud.sms.v20210111 import models, sms_client
        except ImportError:
            raise DeliveryError(TENCENT_SDK_MISSING) from None
        account = SmsAccount.from_settings("腾讯云短信", needs_app_id=True)
        template_id, params = account.template_for(message)
        http = HttpProfile()
        http.endpoint = account.endpoint or "sms.tencentcloudapi.com"
        http.reqTimeout = account.timeout
        profile = ClientProfile()
        profile.httpProfile = http
        client = sms_client.SmsClient(
            credential.Credential(account.access_key_id, account.access_key_secret),
            account.region or "ap-guangzhou",
            profile,
        )
        request = models.SendSmsRequest()
        request.SmsSdkAppId = account.app_id
        request.SignName = account.sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = [value for _, value in params]
        # Tencent wants E.164 numbers: +86 for the mainland.
        request.PhoneNumberSet = [message.to if message.to.startswith("+") else f"+86{message.to}"]
        request.SessionContext = str(message.pk)
        statuses = client.SendSms(request).SendStatusSet or []
        if not statuses or statuses[0].Code != "Ok":
            detail = f"{statuses[0].Code} {statuses[0].Message or ''}" if statuses else "没有返回发送状态"
            raise DeliveryError(f"腾讯云短信未发送：{detail}".strip())
        return Sent(self.name, statuses[0].SerialNo or "")


SMS_PROVIDERS = {"outbox": OutboxOnly, "aliyun": AliyunSms, "tencent": TencentSms}
EMAIL_PROVIDERS = {"outbox": OutboxOnly, "django": DjangoEmail}


def provider_for(channel: str):
    if channel == "sms":
        known, chosen = SMS_PROVIDERS, settings.HEZHANG_SMS_PROVIDER
    else:
        known, chosen = EMAIL_PROVIDERS, settings.HEZHANG_EMAIL_PROVIDER
    if chosen not in known:
        raise DeliveryError(f"未知的服务商“{chosen}”，可选：{'、'.join(known)}")
    return known[chosen]()
