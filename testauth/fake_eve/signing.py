"""The SSO's RSA signing key: JWT access tokens and the JWKS document."""

from __future__ import annotations

import hashlib
import json

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://login.eveonline.com"
AUDIENCE = "EVE Online"


class SigningKey:
    def __init__(self, private_pem: bytes | None = None) -> None:
        if private_pem is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self._key = serialization.load_pem_private_key(private_pem, password=None)
        public_der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # a key id per key, so clients notice a new key after a restart
        self.kid = "JWT-Signature-Key-" + hashlib.sha256(public_der).hexdigest()[:12]

    def private_pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def jwk(self) -> dict:
        data = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {
            "alg": "RS256",
            "e": data["e"],
            "kid": self.kid,
            "kty": "RSA",
            "n": data["n"],
            "use": "sig",
        }

    def jwks(self) -> dict:
        return {"keys": [self.jwk()], "SkipUnresolvedJsonWebKeys": True}

    def sign(self, claims: dict) -> str:
        return jwt.encode(
            claims, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"}
        )

    def verify(self, token: str) -> dict:
        """Decode and check signature, expiry, issuer and audience; raises jwt.PyJWTError."""
        return jwt.decode(
            token, self._key.public_key(), algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER
        )
