"""Files of the project folder that may hold secrets, left out of every package unless ``include`` names them.

A project folder often holds what must never reach a Lambda package (anyone who can read the function's
code can download it): dotenv files, cloud and package-index credentials, SSH and TLS private keys,
keystores, Terraform state, shell histories and startup files, the saved logins of FTP, mail and database
clients (and ``node_modules``, which has no place in a Python package
and often holds a project's tooling tokens). The list follows what deploy tools and secret scanners treat
as sensitive by name, and what a public benchmark of secret scanners (a repository of bait files) holds. A ``.pem`` file is judged by its content: one that holds only certificates (a CA
bundle for a database's TLS, say) ships; one with a private key, or with anything else, does not.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

#: Folders left out whole, at any depth.
SECRET_FOLDERS = (
    ".aws", ".ssh", ".gnupg", ".docker", ".kube", ".azure", ".terraform", ".mozilla", ".dbeaver", "node_modules",
)
#: File names (shell patterns) left out at any depth.
SECRET_FILES = (
    ".env", ".env.*", "*.env", ".envrc",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
    "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.ppk", "*.kdbx",
    ".netrc", "_netrc", ".npmrc", ".pypirc", ".yarnrc.yml", ".git-credentials", ".pgpass", ".my.cnf",
    ".htpasswd", ".s3cfg", ".boto", ".dockercfg",
    "credentials", "credentials.json", "client_secret*.json", "service-account*.json",
    "secrets.yml", "secrets.yaml", "secrets.json", "secrets.toml",
    "*.tfstate", "*.tfstate.*", "*.tfvars",
    ".*_history", ".bashrc", ".bash_profile", ".profile", ".zshrc", ".zprofile",
    # clients that keep passwords beside a project: FTP/SFTP editors' sync, mail, database GUIs, cloud CLIs
    ".ftpconfig", "sftp-config.json", ".remote-sync.json", "recentservers.xml", "sitemanager.xml", "filezilla.xml",
    ".esmtprc", "robomongo.json", "credentials-config.json", ".credentials", ".tugboat", "proftpdpasswd", "shadow",
)
#: Paths (from the project folder) left out although their names alone are harmless.
SECRET_PATHS = (".config/gcloud",)
PEM_SUFFIXES = (".pem",)
PEM_READ_LIMIT = 4 * 1024 * 1024
CERTIFICATE_BLOCKS = ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CRL")


def may_hold_secrets(name: str, rel: str, is_dir: bool, path: Path) -> bool:
    """Whether a file or folder of the project (``name``, its path ``rel`` from the project folder) is one
    that may hold secrets."""
    if rel.rstrip("/") in SECRET_PATHS:
        return True
    if is_dir:
        return name in SECRET_FOLDERS
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in SECRET_FILES):
        return True
    if name.lower().endswith(PEM_SUFFIXES):
        return not certificates_only(path)
    return False


def certificates_only(path: Path) -> bool:
    """A PEM file with at least one certificate and nothing else (no key, no unknown block)."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(PEM_READ_LIMIT + 1).decode("ascii", "replace")
    except OSError:
        return False
    if len(text) > PEM_READ_LIMIT:
        return False
    labels = [line[len("-----BEGIN "):].rstrip("-").strip() for line in text.splitlines()
              if line.startswith("-----BEGIN ")]
    return bool(labels) and all(label in CERTIFICATE_BLOCKS for label in labels)


def describe(left_out: list[str], limit: int = 12) -> str:
    """One line for the build's output: what was left out and how to ship one of them anyway."""
    shown = ", ".join(left_out[:limit]) + (f" and {len(left_out) - limit} more" if len(left_out) > limit else "")
    return (f"left out {len(left_out)} path(s) that may hold secrets: {shown} "
            f"(to ship one, name it in 'include', e.g. \"include\": [\"{left_out[0].rstrip('/')}\"])")
