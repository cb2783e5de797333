"""Issue 12, defect 5: no brute-force protection. 200 wrong passwords then the right one logged
in; 200 bad tokens never got a 429. Now: django-axes locks a username out from an address after
KEEL_LOGIN_MAX_FAILURES wrong passwords; the API throttles per user, per token, per anonymous
address, and counts wrong tokens per address."""

import itertools

import pytest
from django.core.cache import cache
from django.test import Client

from core.services import api_token_create
from tests.factories.users import UserFactory

PASSWORD = "correct-horse-battery-staple"
_addresses = itertools.count(1)


def fresh_address() -> str:
    """A client address no other test used (axes keeps failures in the database per address)."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """A cache of this test's own: the counters of a shared Redis would carry over from other tests
    and earlier runs (user and token ids repeat in a new test database)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password, address):
    return client.post("/accounts/login/", {"username": "alice", "password": password}, REMOTE_ADDR=address)


class TestLoginLockout:
    def test_the_right_password_after_too_many_wrong_ones_is_refused(self, alice, settings):
        settings.AXES_FAILURE_LIMIT = 5
        client, address = Client(), fresh_address()
        attempts = [_login(client, "wrong", address).status_code for _ in range(5)]
        assert attempts == [200] * 4 + [429]  # the form again with its error; the fifth locks
        locked = _login(client, PASSWORD, address)
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session
        page = locked.content.decode()
        assert "Log-in locked" in page
        assert locked.headers["Retry-After"] == str(settings.KEEL_LOGIN_COOLOFF_MINUTES * 60)

    def test_two_hundred_wrong_passwords_never_lead_to_a_login(self, alice, settings):
        settings.AXES_FAILURE_LIMIT = 5
        client, address = Client(), fresh_address()
        statuses = {_login(client, f"guess-{n}", address).status_code for n in range(200)}
        assert statuses == {200, 429}
        assert _login(client, PASSWORD, address).status_code == 429

    def test_a_success_before_the_limit_clears_the_count(self, alice, settings):
        settings.AXES_FAILURE_LIMIT = 3
        address = fresh_address()
        for _ in range(2):
            _login(Client(), "wrong", address)
        assert _login(Client(), PASSWORD, address).status_code == 302
        for _ in range(2):
            _login(Client(), "wrong", address)
        assert _login(Client(), PASSWORD, address).status_code == 302

    def test_another_address_is_not_locked_out(self, alice, settings):
        # The lock is on username + address: a guesser elsewhere cannot lock a colleague out.
        settings.AXES_FAILURE_LIMIT = 2
        for _ in range(3):
            _login(Client(), "wrong", "10.250.0.1")
        assert _login(Client(), PASSWORD, "10.250.0.2").status_code == 302

    def test_the_admin_login_is_locked_out_too(self, alice, settings):
        settings.AXES_FAILURE_LIMIT = 2
        client, address = Client(), fresh_address()
        for _ in range(2):
            client.post("/admin/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR=address)
        response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=address)
        assert response.status_code == 429


def _rates(settings, **rates):
    settings.KEEL_API_THROTTLE_RATES = {**settings.KEEL_API_THROTTLE_RATES, **rates}


@pytest.mark.django_db
class TestApiThrottles:
    def test_two_hundred_bad_tokens_get_a_429_with_retry_after(self, api_for, settings):
        _rates(settings, bad_token="20/hour")
        client, address = api_for(), fresh_address()
        statuses = [
            client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer keel_guess{n:04d}", REMOTE_ADDR=address).status_code
            for n in range(200)
        ]
        assert statuses[:20] == [401] * 20
        assert set(statuses[20:]) == {429}
        last = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer keel_guess", REMOTE_ADDR=address)
        assert int(last.headers["Retry-After"]) > 0
        body = last.json()
        assert (body["status"], body["errors"]) == (429, [])
        assert "invalid API tokens" in body["detail"]

    def test_the_right_token_from_a_blocked_address_is_refused_too(self, api_for, owner, settings):
        _rates(settings, bad_token="3/hour")
        _, secret = api_token_create(user=owner, name="ci")
        address = fresh_address()
        for _ in range(3):
            api_for().get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer keel_nope", REMOTE_ADDR=address)
        blocked = api_for().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=address)
        assert blocked.status_code == 429
        other = api_for().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=fresh_address())
        assert other.status_code == 200

    def test_a_token_is_throttled_on_its_own(self, api_for, owner, settings):
        _rates(settings, token="5/minute", user="1000/minute")
        _, first = api_token_create(user=owner, name="one")
        _, second = api_token_create(user=owner, name="two")
        address = fresh_address()
        codes = [
            api_for().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {first}", REMOTE_ADDR=address).status_code
            for _ in range(6)
        ]
        assert codes == [200] * 5 + [429]
        assert api_for().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200

    def test_a_user_is_throttled_across_session_and_tokens(self, api_for, owner, settings):
        _rates(settings, token="1000/minute", user="4/minute")
        _, secret = api_token_create(user=owner, name="one")
        session = api_for(owner)
        assert [session.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
        token_codes = [
            api_for().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code for _ in range(3)
        ]
        assert token_codes == [200, 200, 429]
        throttled = session.get("/api/v1/me/")
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) > 0
        assert throttled.json()["status"] == 429

    def test_anonymous_requests_are_throttled_by_address(self, api_for, settings):
        _rates(settings, anon="3/minute")
        address = fresh_address()
        codes = [api_for().get("/api/v1/me/", REMOTE_ADDR=address).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        assert api_for().get("/api/v1/me/", REMOTE_ADDR=fresh_address()).status_code == 401
