# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Certificates made at test time (with ``cryptography``) for the TLS modes of the fault proxy.

``make_certificates(folder)`` writes PEM files and returns their paths:

- ``ca``: a test certificate authority; ``server_cert``/``server_key``: a certificate for 127.0.0.1 and
  localhost signed by it; ``client_cert``/``client_key``: a client certificate signed by it (mTLS);
  ``client_combined``: the client certificate and its key in one file;
- ``self_signed_cert``/``self_signed_key``: a certificate for 127.0.0.1 that is its own issuer;
- ``other_ca``: an authority that signed nothing here (a client that trusts only it must refuse the server).

Keys are EC P-256 (fast to make); certificates are valid from an hour ago for two days.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, ca=False, server=False, client=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                                      key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                      encipher_only=False, decipher_only=False), critical=True)
    if issuer_key is not key:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                                     x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if client:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder, name, *items):
    path = os.path.join(str(folder), name)
    with open(path, 'wb') as handle:
        for item in items:
            if isinstance(item, x509.Certificate):
                handle.write(item.public_bytes(serialization.Encoding.PEM))
            else:
                handle.write(item.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    os.chmod(path, 0o600)
    return path


def make_certificates(folder):
    """Write the test certificates into ``folder`` and return {name: path} (see the module docstring)."""
    ca_key, other_key, server_key, client_key, self_key = (_key() for i in range(5))
    ca = _certificate(_name('community.kuzzle test CA'), ca_key, _name('community.kuzzle test CA'), ca_key, ca=True)
    other = _certificate(_name('another test CA'), other_key, _name('another test CA'), other_key, ca=True)
    server = _certificate(_name('127.0.0.1'), server_key, ca.subject, ca_key, server=True)
    client = _certificate(_name('ansible'), client_key, ca.subject, ca_key, client=True)
    self_signed = _certificate(_name('127.0.0.1'), self_key, _name('127.0.0.1'), self_key, server=True)
    return {
        'ca': _write(folder, 'ca.pem', ca),
        'other_ca': _write(folder, 'other-ca.pem', other),
        'server_cert': _write(folder, 'server.pem', server),
        'server_key': _write(folder, 'server.key', server_key),
        'client_cert': _write(folder, 'client.pem', client),
        'client_key': _write(folder, 'client.key', client_key),
        'client_combined': _write(folder, 'client-combined.pem', client, client_key),
        'self_signed_cert': _write(folder, 'self-signed.pem', self_signed),
        'self_signed_key': _write(folder, 'self-signed.key', self_key),
    }
