"""A local OpenID Connect provider for the single sign-on tests: a threaded HTTP server on a
free loopback port serving discovery, authorize (redirects back with a code), token (an RS256
id_token signed with a key made here), JWKS and userinfo. Knobs on the instance let a test make
it misbehave: sign with another key, put a wrong nonce or audience in the token."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "keel-test-client"
CLIENT_SECRET = "keel-test-secret"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeProvider:
    def __init__(self):
        self.key = _key()
        self.kid = "test-key-1"
        self.claims = {
            "sub": "idp-user-1",
            "email": "ada@example.com",
            "email_verified": True,
            "preferred_username": "ada",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "groups": ["keel-admins"],
        }
        # Misbehaviours a test may switch on.
        self.sign_with = None  # another private key
        self.nonce_override = None
        self.audience = CLIENT_ID
        self.issuer_override = None
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer_override or self.url,
            "sub": self.claims["sub"],
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override if self.nonce_override is not None else nonce,
            "email": self.claims["email"],
        }
        return jwt.encode(payload, self.sign_with or self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if parts.path == "/jwks":
                    return self._json(200, provider.jwks())
                if parts.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider._codes[code] = {
                        "nonce": query.get("nonce"),
                        "redirect_uri": query["redirect_uri"],
                        "challenge": query.get("code_challenge"),
                    }
                    self.send_response(302)
                    self.send_header(
                        "Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    )
                    self.end_headers()
                    return None
                if parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider._tokens:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, dict(provider.claims))
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                if self.path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                    return self._json(401, {"error": "invalid_client"})
                grant = provider._codes.pop(form.get("code", ""), None)
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant"})
                if grant["challenge"]:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                        return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                access = secrets.token_urlsafe(16)
                provider._tokens[access] = {}
                return self._json(
                    200,
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(grant["nonce"]),
                    },
                )

        return Handler
