import pytest
from click.testing import CliRunner

from shanxing_gateway.cli import cli


@pytest.fixture
def exec_args(monkeypatch, tmp_path):
    captured = []
    monkeypatch.setattr("os.execvp", lambda file, args: captured.append(args))
    monkeypatch.setenv("SHANXING_ENV", "dev")
    monkeypatch.setenv("SHANXING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prometheus"))
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name in ("WEB_THREADS", "SHANXING_GATEWAY_THREADS"):
        monkeypatch.setenv(name, "")  # unset, and restored after the test (serve writes WEB_THREADS)
    return captured


def threads_of(args) -> str:
    return args[args.index("--threads") + 1]


def test_serve_runs_gthread_workers_by_default(exec_args):
    result = CliRunner().invoke(cli, ["serve", "--port", "18555"])
    assert result.exit_code == 0, result.output
    (args,) = exec_args
    assert threads_of(args) == "16" and args[args.index("--bind") + 1].endswith(":18555")


@pytest.mark.parametrize("env, expected", [
    ({"WEB_THREADS": "2"}, "2"),
    ({"WEB_THREADS": "2", "SHANXING_GATEWAY_THREADS": "16"}, "16"),
    ({"SHANXING_GATEWAY_THREADS": "1"}, "1"),  # sync workers
])
def test_thread_settings(exec_args, monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert threads_of(exec_args[0]) == expected
