"""A project folder full of secrets: ``zappa package`` ships none of them (the real zip is read, every byte
of every file), says what it left out, and ``include`` brings one back explicitly. The values of
``environment_variables`` and ``aws_environment_variables`` stay out of the zip too: the function's
configuration carries them."""

# ruff: noqa: F401, F811  (pytest fixtures imported from pkgtest, a module of their own: see its docstring)

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile

import certifi
from pkgtest import isolated_cache, make_project, package

MARKER = "s3cr3t-bait-7f2c"
PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\nMIIEow{MARKER}\n-----END RSA PRIVATE KEY-----\n"
BAIT = {
    ".env": f"DATABASE_URL=postgres://admin:{MARKER}@db/app\n",
    ".env.production": f"STRIPE_KEY={MARKER}\n",
    "prod.env": f"TOKEN={MARKER}\n",
    ".envrc": f"export TOKEN={MARKER}\n",
    ".aws/credentials": f"[default]\naws_secret_access_key = {MARKER}\n",
    ".aws/config": "[default]\nregion = us-east-1\n",
    ".ssh/id_rsa": PRIVATE_KEY,
    ".ssh/known_hosts": "github.com ssh-ed25519 AAAA\n",
    "id_rsa": PRIVATE_KEY,
    "id_ed25519.pub": f"ssh-ed25519 AAAA {MARKER}\n",
    "certs/server.pem": PRIVATE_KEY + "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "certs/server.key": PRIVATE_KEY,
    "certs/client.p12": MARKER,
    "deploy/keystore.jks": MARKER,
    ".netrc": f"machine api.example.com login me password {MARKER}\n",
    ".npmrc": f"//registry.npmjs.org/:_authToken={MARKER}\n",
    ".pypirc": f"[pypi]\npassword = {MARKER}\n",
    ".git-credentials": f"https://me:{MARKER}@github.com\n",
    "config/credentials.json": json.dumps({"private_key": MARKER}),
    "config/client_secret_123.apps.googleusercontent.com.json": json.dumps({"client_secret": MARKER}),
    "config/secrets.yml": f"production:\n  secret_key_base: {MARKER}\n",
    "infra/terraform.tfstate": json.dumps({"outputs": {"db_password": MARKER}}),
    "infra/terraform.tfstate.backup": json.dumps({"outputs": {"db_password": MARKER}}),
    "infra/prod.tfvars": f'db_password = "{MARKER}"\n',
    "infra/.terraform/providers/lock": MARKER,
    "node_modules/left-pad/.npmrc": f"//registry.npmjs.org/:_authToken={MARKER}\n",
    "node_modules/left-pad/index.js": "module.exports = 1\n",
    ".bash_history": f"export AWS_SECRET_ACCESS_KEY={MARKER}\n",
}
KEPT = {
    "templates/index.html": "<p>hello</p>",
    "config/settings.py": "DEBUG = False\n",
    "env.py": "NAME = 'environment helpers'\n",  # a module named env: not a dotenv file
    "docs/environment.md": "# how to configure\n",
}
LEFT_OUT = [".aws/", ".bash_history", ".env", ".env.production", ".envrc", ".git-credentials", ".netrc", ".npmrc",
            ".pypirc", ".ssh/", "certs/client.p12", "certs/server.key", "certs/server.pem",
            "config/client_secret_123.apps.googleusercontent.com.json", "config/credentials.json",
            "config/secrets.yml", "deploy/keystore.jks", "id_ed25519.pub", "id_rsa", "infra/.terraform/",
            "infra/prod.tfvars", "infra/terraform.tfstate", "infra/terraform.tfstate.backup", "node_modules/",
            "prod.env"]


def bait_project(make_project, **settings):
    project = make_project("flask_app", **settings)
    for name, text in {**BAIT, **KEPT}.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    shutil.copy(certifi.where(), project / "certs" / "rds-ca-bundle.pem")  # a real CA bundle: public
    return project


def zip_contents(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_secrets_are_left_out_and_named(make_project, package):
    project = bait_project(make_project, environment_variables={"DB_PASSWORD": MARKER},
                           aws_environment_variables={"API_TOKEN": MARKER})
    build = package(project, None, "--json")
    assert build.code == 0, build.err
    contents = zip_contents(build.zip)
    assert [name for name, data in contents.items() if MARKER.encode() in data] == []
    for name in KEPT:
        assert name in contents, name
    assert "certs/rds-ca-bundle.pem" in contents  # certificates only: ships
    assert "app.py" in contents
    assert json.loads(build.out)["secrets_left_out"] == LEFT_OUT
    settings = json.loads(contents["zappa_manifest.json"])["settings"]
    assert settings["environment_variables"] == {} and settings["aws_environment_variables"] == {}
    assert settings["function_environment"] == ["DB_PASSWORD"]


def test_the_build_says_what_it_left_out(make_project, package):
    build = package(bait_project(make_project))
    assert build.code == 0, build.err
    line = next(line for line in build.out.splitlines() if "may hold secrets" in line)
    assert line.startswith(f"left out {len(LEFT_OUT)} path(s) that may hold secrets: .aws/, .bash_history, .env, ")
    assert "and 13 more" in line and 'name it in \'include\', e.g. "include": [".aws"]' in line
    assert MARKER not in build.out + build.err


def test_include_ships_one_secret_explicitly_and_only_that_one(make_project, package):
    project = bait_project(make_project, include=[".env", "certs/server.pem"])
    build = package(project, None, "--json")
    assert build.code == 0, build.err
    contents = zip_contents(build.zip)
    assert contents[".env"] == BAIT[".env"].encode()
    assert contents["certs/server.pem"] == BAIT["certs/server.pem"].encode()
    leaked = {name for name, data in contents.items() if MARKER.encode() in data}
    assert leaked == {".env", "certs/server.pem"}
    assert json.loads(build.out)["secrets_left_out"] == [p for p in LEFT_OUT if p not in (".env", "certs/server.pem")]


def test_slim_handler_archive_leaves_them_out_too(make_project, package):
    build = package(bait_project(make_project, slim_handler=True))
    assert build.code == 0, build.err
    archive = build.zip.with_name(f"{build.zip.stem}_project.tar.gz")
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert "app.py" in members and "templates/index.html" in members
    assert [name for name, data in members.items() if MARKER.encode() in data] == []


# The layout of a public benchmark of secret scanners (a repository of bait files in the places real
# projects leak them); the contents here are this test's own.
BENCHMARK_LAYOUT = [
    ".bash_profile", ".bashrc", ".docker/.dockercfg", ".docker/config.json", ".esmtprc", ".ftpconfig",
    ".git-credentials", ".mozilla/firefox/logins.json", ".mozilla/firefox/key4.db", ".netrc", ".npmrc",
    ".remote-sync.json", ".ssh/id_rsa", ".ssh/id_rsa.pub", "cloud/.credentials", "cloud/.s3cfg", "cloud/.tugboat",
    "db/.pgpass", "db/robomongo.json", "etc/shadow", "filezilla/filezilla.xml", "filezilla/recentservers.xml",
    "misc-keys/cert-key.pem", "misc-keys/putty-example.ppk", "proftpdpasswd", "sftp-config.json",
    "web/ruby/config/master.key", "web/ruby/secrets.yml", "web/var/www/.env", "web/var/www/public_html/.htpasswd",
]


def test_the_files_of_a_secret_scanner_benchmark_stay_out(make_project, package):
    project = make_project("flask_app")
    for name in BENCHMARK_LAYOUT:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        text = PRIVATE_KEY if name.endswith(".pem") else f"password={MARKER}\n"
        (project / name).write_text(text)
    build = package(project)
    assert build.code == 0, build.err
    contents = zip_contents(build.zip)
    assert [name for name, data in contents.items() if MARKER.encode() in data] == []
    assert "app.py" in contents
