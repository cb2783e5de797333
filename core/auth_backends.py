"""The log-in lock-out backend (django-axes), first in AUTHENTICATION_BACKENDS."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for every log-in that comes with a request (the log-in page, the
    admin's, any session log-in over HTTP). A call to authenticate() without one — code, a test
    client's login(), a management command — has no client address to count against, and axes
    would raise; it is passed on to the next backend unchecked instead."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
