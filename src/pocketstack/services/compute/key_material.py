"""Key material for keypairs: make and check SSH keys and X.509 certificates, fingerprint them.

Fingerprints are Nova's: colon-separated hex of the MD5 of an SSH key's blob, or of the
SHA-1 of a certificate's DER encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pocketstack.errors import BadRequest

KEY_BITS = 2048
UPN_OID = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


@dataclass(frozen=True)
class KeyMaterial:
    public_key: str
    fingerprint: str
    private_key: str | None = None


def _colon_hex(digest: bytes) -> str:
    text = digest.hex()
    return ":".join(text[i:i + 2] for i in range(0, len(text), 2))


def ssh_fingerprint(public_key: str) -> str:
    """The fingerprint of an OpenSSH public key line; BadRequest when it is not one."""
    try:
        serialization.load_ssh_public_key(public_key.strip().encode())
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (ValueError, IndexError, UnicodeError, binascii.Error, UnsupportedAlgorithm):
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(certificate: str) -> str:
    """The fingerprint of a PEM certificate; BadRequest when it is not one."""
    try:
        cert = x509.load_pem_x509_certificate(certificate.encode())
    except (ValueError, TypeError, UnicodeError) as exc:
        raise BadRequest("Keypair data is invalid: failed to generate X509 fingerprint. "
                         f"Error message: {exc}") from None
    return _colon_hex(cert.fingerprint(hashes.SHA1()))


def fingerprint(public_key: str, key_type: str) -> str:
    return x509_fingerprint(public_key) if key_type == "x509" else ssh_fingerprint(public_key)


def new_ssh_key() -> KeyMaterial:
    """A fresh RSA key: the private half in PEM (as ``ssh`` reads it), the public half in
    OpenSSH's one-line form."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    public = f"{public} Generated-by-Nova"
    return KeyMaterial(public_key=public, fingerprint=ssh_fingerprint(public), private_key=private)


def new_x509_certificate(user_id: str) -> KeyMaterial:
    """A self-signed client certificate for ``user_id`` (ten years), with its key as a
    base64 PKCS#12 bundle without a password, as Nova hands out for WinRM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)])
    upn = x509.OtherName(UPN_OID, _der_utf8(f"{user_id}@localhost"))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([upn]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    bundle = pkcs12.serialize_key_and_certificates(None, key, cert, None,
                                                   serialization.NoEncryption())
    return KeyMaterial(public_key=pem, fingerprint=x509_fingerprint(pem),
                       private_key=base64.b64encode(bundle).decode())


def _der_utf8(text: str) -> bytes:
    """``text`` as a DER UTF8String (what the UPN other-name carries)."""
    data = text.encode()
    if len(data) < 0x80:
        return bytes([0x0C, len(data)]) + data
    length = len(data).to_bytes((len(data).bit_length() + 7) // 8, "big")
    return bytes([0x0C, 0x80 | len(length)]) + length + data
