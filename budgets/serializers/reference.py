"""API representations of finance reference data: currencies, exchange rates, cost
categories, fiscal calendars and their periods."""

import re

from rest_framework import serializers

from core.serializers import VisiblePrimaryKeyRelatedField, fixed_after_create
from portfolio.models import Portfolio

from ..models import CostCategory, Currency, ExchangeRate, FiscalCalendar, FiscalPeriod
from ..models.currency import SAME_CURRENCY
from ..services.reference import MAX_YEARS_AT_ONCE, TOO_MANY_YEARS, YEARS_ORDERED
from .values import named_choice_field

CostKindField = named_choice_field("CostKind", CostCategory.Kind.choices, "What kind of cost a category holds.")
ISO_CODE = re.compile(r"[A-Z]{3}")
UNKNOWN_CURRENCY = "{pk_value} is not a currency Keel knows; add it first."
CODE_FIXED = "A currency's code cannot change."
DEFAULT_IS_SHARED = "Only a shared calendar (no portfolio) can be the default."


class CurrencyField(serializers.PrimaryKeyRelatedField):
    """A currency by its ISO code ("EUR"); an unknown code is a 400 naming it."""

    default_error_messages = {
        "does_not_exist": UNKNOWN_CURRENCY,
        "incorrect_type": "Give an ISO 4217 code such as EUR, not {data_type}.",
        "not_a_code": "Give an ISO 4217 code such as EUR: three letters.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Currency.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        code = data.strip().upper()
        # Not three letters is no currency: answered without a query, which a NUL character
        # (PostgreSQL cannot compare text holding one) would turn into a 500.
        if not ISO_CODE.fullmatch(code):
            self.fail("not_a_code")
        return super().to_internal_value(code)


class CurrencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Currency
        fields = ["code", "name", "decimal_places", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_code(self, value):
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(CODE_FIXED)
        return value


class ExchangeRateSerializer(serializers.ModelSerializer):
    """One `from_currency` is worth `rate` `to_currency` from `valid_on` until the pair's next rate."""

    from_currency = CurrencyField()
    to_currency = CurrencyField()

    class Meta:
        model = ExchangeRate
        fields = [
            "id",
            "from_currency",
            "to_currency",
            "rate",
            "valid_on",
            "source",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate(self, attrs):
        source = attrs.get("from_currency", getattr(self.instance, "from_currency", None))
        target = attrs.get("to_currency", getattr(self.instance, "to_currency", None))
        if source is not None and source == target:
            raise serializers.ValidationError({"to_currency": SAME_CURRENCY})
        return attrs


class CostCategorySerializer(serializers.ModelSerializer):
    kind = CostKindField()

    class Meta:
        model = CostCategory
        fields = ["id", "code", "name", "expense_type", "kind", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


class FiscalCalendarSerializer(serializers.ModelSerializer):
    """A shared calendar (`portfolio` null) or a portfolio's own. Start month and year naming are
    frozen once periods are generated."""

    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all(), allow_null=True, required=False)
    portfolio_code = serializers.CharField(source="portfolio.code", read_only=True, allow_null=True)

    class Meta:
        model = FiscalCalendar
        fields = [
            "id",
            "portfolio",
            "portfolio_code",
            "name",
            "start_month",
            "year_label",
            "is_default",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)

    def validate(self, attrs):
        portfolio = attrs.get("portfolio", getattr(self.instance, "portfolio", None))
        if attrs.get("is_default", getattr(self.instance, "is_default", False)) and portfolio is not None:
            raise serializers.ValidationError({"is_default": DEFAULT_IS_SHARED})
        return attrs


class FiscalPeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="span.label", read_only=True, help_text='e.g. "FY2026 P03".')
    quarter = serializers.IntegerField(read_only=True)

    class Meta:
        model = FiscalPeriod
        fields = ["id", "calendar", "fiscal_year", "number", "quarter", "label", "start", "end"]
        read_only_fields = fields


class GeneratePeriodsSerializer(serializers.Serializer):
    """Store the twelve periods of each fiscal year from `first_year` to `last_year` (default:
    `first_year` only). Periods that exist are kept."""

    first_year = serializers.IntegerField(min_value=1900, max_value=2200)
    last_year = serializers.IntegerField(min_value=1900, max_value=2200, required=False)

    def validate(self, attrs):
        last = attrs.get("last_year", attrs["first_year"])
        if last < attrs["first_year"]:
            raise serializers.ValidationError({"last_year": YEARS_ORDERED})
        if last - attrs["first_year"] + 1 > MAX_YEARS_AT_ONCE:
            raise serializers.ValidationError({"last_year": TOO_MANY_YEARS.format(limit=MAX_YEARS_AT_ONCE)})
        return attrs
