"""make publish: server configuration that nginx accepts, security headers, and compressed
copies that decompress to the originals."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from luotsi.publish import configs
from luotsi.publish.headers import content_security_policy


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from .conftest import Site

    site = Site(tmp_path_factory.mktemp("publish"))
    site.post("posts/a.md", "Julkaisu", "fi", body="Teksti. " * 200)
    site.build(LUOTSI_PUBLISH=True, LUOTSI_PUBLISH_ROOT=str(site.output),
               LUOTSI_FEEDBACK={"url": "/feedback-api"})
    return site


def test_text_assets_have_gzip_and_brotli_copies(published):
    page = published.output / "blog/julkaisu/index.html"
    original = page.read_bytes()
    assert gzip.decompress(Path(f"{page}.gz").read_bytes()) == original
    assert brotli.decompress(Path(f"{page}.br").read_bytes()) == original
    assert len(Path(f"{page}.br").read_bytes()) < len(original) / 3
    assert not list(published.output.rglob("*.jpg.gz"))  # images are compressed already


def test_headers_file_and_configs_carry_the_security_headers(published):
    headers = (published.output / "_headers").read_text()
    for name in ("Strict-Transport-Security", "Content-Security-Policy",
                 "X-Content-Type-Options: nosniff", "Referrer-Policy", "Permissions-Policy"):
        assert name in headers
    assert "/qr/*\n  Cache-Control: public, max-age=31536000, immutable" in headers
    deploy = published.root / "deploy"
    nginx = (deploy / "nginx.conf").read_text()
    assert "return 301 https://$host$request_uri;" in nginx
    assert "location /feedback-api/ {" in nginx and "location /q/ {" in nginx
    caddy = (deploy / "Caddyfile").read_text()
    assert "reverse_proxy /feedback-api/* 127.0.0.1:8001" in caddy
    unit = (deploy / "luotsi-feedback.service").read_text()
    assert "EnvironmentFile=/etc/luotsi/feedback.env" in unit and "NoNewPrivileges=true" in unit


def test_csp_allows_no_inline_script_and_the_theme_needs_none(published):
    policy = content_security_policy("https://api.example")
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "form-action 'self' https://api.example" in policy
    for page in published.output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert " style=" not in html, page
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/ld+json"' in head, (page, head)


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
                    reason="nginx is installed by scripts/install-system-deps.sh")
def test_nginx_accepts_the_generated_configuration(published, tmp_path):
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=www.example", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site = (published.root / "deploy/nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/fixture.example/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/fixture.example/privkey.pem", str(key))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{\n access_log off;\n{site}\n}}\n")
    done = subprocess.run([nginx_bin, "-t", "-c", str(main), "-p", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_deployment_keeps_a_foreign_service_out_of_the_proxy():
    d = configs.deployment_for("https://www.x.example", "https://api.other.example/fb", "/srv")
    assert d.service_path == "" and d.service_url == "https://api.other.example/fb"


def test_both_servers_cap_bodies_and_drop_slow_clients(published):
    deploy = published.root / "deploy"
    nginx = (deploy / "nginx.conf").read_text()
    for directive in ("client_max_body_size 64k;", "client_header_timeout 10s;",
                      "client_body_timeout 10s;", "send_timeout 10s;",
                      "proxy_request_buffering on;", "proxy_read_timeout 30s;"):
        assert directive in nginx, directive
    assert nginx.count("client_max_body_size 64k;") == 2  # both server blocks
    caddy = (deploy / "Caddyfile").read_text()
    assert caddy.startswith("# Caddyfile") and caddy.split("\n{\n", 1)[1].startswith(
        "    # Slow clients")  # the global options block comes first
    for line in ("read_header 10s", "read_body 10s", "write 30s", "idle 2m",
                 "request_body {\n        max_size 64KB\n    }"):
        assert line in caddy, line
