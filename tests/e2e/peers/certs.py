"""Throw-away certificates for TLS tests, made with ``cryptography``.

``make_pki(directory)`` writes PEM files and returns a ``Pki``:

- ``ca``: the test CA (trust it in clients and, for mTLS, in servers)
- ``server``: a server certificate for 127.0.0.1, ::1 and localhost signed by ``ca``
- ``client``: a client certificate (CN ``otelmetrics-test-client``) signed by ``ca``
- ``expired_server``: like ``server`` but expired yesterday
- ``wrong_host_server``: signed by ``ca``, valid, but only for ``wrong-host.invalid``
- ``other_ca``: an unrelated CA, and ``untrusted_server`` / ``untrusted_client`` signed
  by it (valid in every other respect), for "unknown CA" cases

Certificates follow what strict verifiers (rustls/webpki, BoringSSL, OpenSSL) want:
v3, CA with critical basic constraints and keyCertSign, leaves with subjectAltName,
extended key usage, key identifiers. Keys are ECDSA P-256 (or RSA 2048 with
``key_type="rsa"``), unencrypted PKCS#8.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["CertKey", "Pki", "make_pki", "LOCAL_NAMES"]

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class CertKey:
    """A certificate and its private key, as files and as PEM bytes."""

    name: str
    cert_path: Path
    key_path: Path

    @property
    def cert_pem(self) -> bytes:
        return self.cert_path.read_bytes()

    @property
    def key_pem(self) -> bytes:
        return self.key_path.read_bytes()

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)


@dataclass(frozen=True)
class Pki:
    directory: Path
    ca: CertKey
    server: CertKey
    client: CertKey
    expired_server: CertKey
    wrong_host_server: CertKey
    other_ca: CertKey
    untrusted_server: CertKey
    untrusted_client: CertKey


def _new_key(key_type: str):
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"key_type must be 'ec' or 'rsa', not {key_type!r}")


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "otelmetrics tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _san(names) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for n in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            entries.append(x509.DNSName(n))
    return x509.SubjectAlternativeName(entries)


class _Issuer:
    def __init__(self, cn: str, key_type: str, now: _dt.datetime) -> None:
        self.key = _new_key(key_type)
        self.name = _name(cn)
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(days=1))
            .not_valid_after(now + _dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, cn: str, *, names=(), client: bool = False, key_type: str,
              not_before: _dt.datetime, not_after: _dt.datetime):
        key = _new_key(key_type)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn)).issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=key_type == "rsa", data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]),
                critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                           critical=False)
        )
        if names:
            builder = builder.add_extension(_san(names), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())


def _write(directory: Path, name: str, key, cert: x509.Certificate) -> CertKey:
    cert_path = directory / f"{name}.crt"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    return CertKey(name, cert_path, key_path)


def make_pki(directory: str | os.PathLike, *, key_type: str = "ec",
             server_names=LOCAL_NAMES) -> Pki:
    """Creates the CAs and certificates described in the module docstring in
    ``directory`` (created if missing). Takes well under a second with EC keys."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    valid = dict(not_before=now - _dt.timedelta(hours=1), not_after=now + _dt.timedelta(days=30))
    expired = dict(not_before=now - _dt.timedelta(days=30), not_after=now - _dt.timedelta(days=1))

    ca = _Issuer("otelmetrics test CA", key_type, now)
    other = _Issuer("otelmetrics unrelated CA", key_type, now)
    made = {
        "ca": _write(d, "ca", ca.key, ca.cert),
        "other_ca": _write(d, "other-ca", other.key, other.cert),
        "server": _write(d, "server", *ca.issue("otelmetrics-test-server", names=server_names,
                                               key_type=key_type, **valid)),
        "client": _write(d, "client", *ca.issue("otelmetrics-test-client", names=("otelmetrics-test-client",),
                                               client=True, key_type=key_type, **valid)),
        "expired_server": _write(d, "expired-server", *ca.issue("otelmetrics-expired-server",
                                                               names=server_names, key_type=key_type, **expired)),
        "wrong_host_server": _write(d, "wrong-host-server", *ca.issue("wrong-host.invalid",
                                                                     names=("wrong-host.invalid",),
                                                                     key_type=key_type, **valid)),
        "untrusted_server": _write(d, "untrusted-server", *other.issue("otelmetrics-untrusted-server",
                                                                      names=server_names, key_type=key_type,
                                                                      **valid)),
        "untrusted_client": _write(d, "untrusted-client", *other.issue("otelmetrics-untrusted-client",
                                                                      names=("otelmetrics-untrusted-client",),
                                                                      client=True, key_type=key_type, **valid)),
    }
    return Pki(directory=d, **made)
