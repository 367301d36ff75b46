"""Schemathesis over every operation of the gateway's merged OpenAPI document.

`make test` runs a bounded pass; `make fuzz` a long one (FUZZ_MAX_EXAMPLES). A new service's
routes are fuzzed as soon as the gateway routes them. The pass runs last in the session: as
a platform admin it rewrites catalogues and roles that earlier tests read.
"""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auth.testing import Workspace
from shared.devtools.stack import Stack

MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "6")
SEED = os.environ.get("FUZZ_SEED", "20261125")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Operations that would end the fuzzing identity's own session or workspace halfway through.
SELF_DEFEATING = r"logout|^/api/v1/tenants/\{tenant_id\}/$"


async def fuzz(gateway_url: str, token: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    argv = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{gateway_url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "2",
        "--exclude-path-regex",
        SELF_DEFEATING,
        "--request-timeout",
        "20",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"}
    # Run in the report folder: schemathesis keeps a cache of crashes in its working directory.
    return await asyncio.to_thread(
        subprocess.run, argv, capture_output=True, text=True, env=env, timeout=900, cwd=report_dir
    )


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("who", ["farmer", "platform_admin"])
async def test_no_operation_answers_5xx_or_breaks_the_document(
    platform_stack: Stack, workspace: Workspace, fuzzing_admin_token: str, who: str, tmp_path: Path
) -> None:
    token = workspace.farmer_token if who == "farmer" else fuzzing_admin_token
    result = await fuzz(platform_stack.url("gateway"), token, tmp_path)
    summary = result.stdout[-12000:]
    assert result.returncode == 0, f"schemathesis found failures:\n{summary}\n{result.stderr[-2000:]}"
    assert " passed" in summary
