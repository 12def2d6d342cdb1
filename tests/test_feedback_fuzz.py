"""Fuzz every public endpoint from the service's own OpenAPI description (schemathesis):
whatever arrives, the service never answers with a server error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .servers import Service, SmtpSink

pytestmark = [pytest.mark.xdist_group("feedback"), pytest.mark.slow]


def test_no_server_errors_under_fuzzing(tmp_path):
    smtp = SmtpSink().start()
    service = Service(tmp_path / "svc", smtp.port, rate_limit=100000).start()
    try:
        for origin in (service.site, "https://evil.example"):  # past and at the origin check
            done = subprocess.run(
                [str(Path(sys.executable).parent / "schemathesis"), "run",
                 f"{service.url}/openapi.json", "--checks", "not_a_server_error",
                 "--max-examples", "60", "--seed", "7", "--phases", "examples,coverage,fuzzing",
                 "-H", f"Origin: {origin}", "-H", "Accept: application/json"],
                capture_output=True, text=True, timeout=600, cwd=tmp_path)
            assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    finally:
        service.stop()
        smtp.stop()
    log = (tmp_path / "svc" / "service.log").read_text()
    assert "Traceback" not in log, log[-3000:]


def test_valid_tokens_with_arbitrary_fields_never_break_the_service(tmp_path):
    """Schemathesis cannot mint tokens; here random field values pass the time trap, so the
    validation, storage and mail code behind it is fuzzed too."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from .feedback_forms import JSON, form, good_token

    smtp = SmtpSink().start()
    service = Service(tmp_path / "svc", smtp.port, rate_limit=100000).start()
    text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
    fields = st.fixed_dictionaries({}, optional={
        name: text for name in ("lang", "topic", "name", "email", "message", "page",
                                "helpful", "consent", "answer")})
    statuses: set[int] = set()
    try:
        with service.client(headers=JSON) as client:
            @settings(max_examples=150, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(fields)
            def post(values):
                answer = client.post("/feedback", data=form(**values, token=good_token()))
                assert answer.status_code < 500, (values, answer.text)
                statuses.add(answer.status_code)

            post()
    finally:
        service.stop()
        smtp.stop()
    assert 201 in statuses and 422 in statuses
    assert "Traceback" not in (tmp_path / "svc" / "service.log").read_text()
