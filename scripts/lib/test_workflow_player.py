"""Tests of the workflow player: expressions, runner files, and the release workflow's build job
played from .github/workflows/release.yml in a throwaway clone (with a stand-in jar, so no build).

Run: python3 -m pytest -q scripts/lib/test_workflow_player.py
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import workflow_player as wp  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
PLAYER = pathlib.Path(__file__).with_name("workflow_player.py")


def evaluate(text, status="success", **contexts):
    return wp.Evaluator(contexts, status).evaluate(text)


def test_comparisons_are_case_insensitive_and_loose():
    assert evaluate("inputs.method == 'REFRESH'", inputs={"method": "refresh"}) is True
    assert evaluate("inputs.method != 'ssh'", inputs={"method": "refresh"}) is True
    assert evaluate("1 < 2 && !(2 < 1)") is True


def test_and_or_return_operands():
    assert evaluate("inputs.x || 'fallback'", inputs={"x": ""}) == "fallback"
    assert evaluate("inputs.x && 'second'", inputs={"x": "a"}) == "second"


def test_functions():
    assert evaluate("format('v{0}-{1}', 1, 'b')") == "v1-b"
    assert evaluate("contains(fromJSON('[\"a\",\"b\"]'), 'B')") is True
    assert evaluate("startsWith(github.ref, 'refs/tags/')", github={"ref": "refs/tags/v1"}) is True
    assert evaluate("join(fromJSON('[1,2]'), '+')") == "1+2"


def test_property_and_index_access():
    steps = {"ami": {"outputs": {"id": "ami-1"}}}
    assert evaluate("steps.ami.outputs.id", steps=steps) == "ami-1"
    assert evaluate("steps['ami'].outputs['id']", steps=steps) == "ami-1"
    assert evaluate("steps.missing.outputs.id", steps=steps) is None


def test_status_functions_follow_the_job():
    evaluator = wp.Evaluator({}, "failure")
    assert wp.condition(None, evaluator) is False
    assert wp.condition("always()", evaluator) is True
    assert wp.condition("failure()", evaluator) is True
    assert wp.condition("${{ true }}", evaluator) is False  # success() is implied


def test_interpolation_keeps_text_around_expressions():
    evaluator = wp.Evaluator({"needs": {"build": {"outputs": {"version": "1.2"}}}}, "success")
    assert wp.interpolate("v${{ needs.build.outputs.version }}!", evaluator) == "v1.2!"


def test_unknown_names_fail_loudly():
    with pytest.raises(wp.PlayError):
        evaluate("nosuch.context")
    with pytest.raises(wp.PlayError):
        evaluate("nosuchfunction()")


def test_runner_files_with_heredoc(tmp_path):
    file = tmp_path / "out"
    file.write_text("a=1\nbody<<EOF\nline 1\nline 2\nEOF\nb=x=y\n")
    assert wp.read_key_values(file) == {"a": "1", "body": "line 1\nline 2", "b": "x=y"}


def test_trust_conditions():
    claims = {"aud": "sts.amazonaws.com", "sub": "repo:o/r:environment:staging"}
    ok = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    assert wp.condition_holds("StringEquals", ok, claims)
    assert wp.condition_holds("StringLike", {"token.actions.githubusercontent.com:sub": "repo:o/r:environment:*"}, claims)
    assert not wp.condition_holds("StringEquals", {"token.actions.githubusercontent.com:sub": "repo:o/r:environment:production"}, claims)


@pytest.fixture
def clone(tmp_path):
    """A clone of this working tree with a stand-in jar and SBOM where `make package` puts them."""
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(workspace)], check=True)
    # The working tree as it is (uncommitted changes included), so the test plays what is here.
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "-co", "--exclude-standard"],
                            check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, workspace / name)
    (workspace / "target").mkdir()
    (workspace / "target" / "depot.jar").write_bytes(b"stand-in jar")
    (workspace / "target" / "depot-sbom.json").write_text("{}")
    return workspace


def play_build(workspace, state):
    env = dict(os.environ, DEPOT_SKIP_BUILD="1")
    return subprocess.run([sys.executable, str(PLAYER), "--workflow", ".github/workflows/release.yml",
                           "--workspace", str(workspace), "--state", str(state), "--tag", "v9.9.9",
                           "--job", "build"], env=env, capture_output=True, text=True)


def test_release_build_job_played_from_the_workflow(clone, tmp_path):
    result = play_build(clone, tmp_path / "state")
    assert result.returncode == 0, result.stdout + result.stderr
    artifact = tmp_path / "state" / "artifacts" / "release" / "9.9.9"
    assert sorted(p.name for p in artifact.iterdir()) == ["depot-sbom.json", "depot.jar", "depot.jar.sha256"]


def test_a_renamed_sbom_fails_the_play_naming_the_step(clone, tmp_path):
    (clone / "target" / "depot-sbom.json").rename(clone / "target" / "bom.json")
    result = play_build(clone, tmp_path / "state")
    assert result.returncode != 0
    assert "FAILED at release / build / Run scripts/release/build-artifacts" in result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "state" / "artifacts" / "release").exists()


def test_a_tag_the_workflow_does_not_match_is_refused(clone, tmp_path):
    result = subprocess.run([sys.executable, str(PLAYER), "--workflow", ".github/workflows/release.yml",
                             "--workspace", str(clone), "--state", str(tmp_path / "s"), "--tag", "release-1"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "matches none" in result.stderr


def test_dispatch_inputs_are_checked(clone, tmp_path):
    result = subprocess.run([sys.executable, str(PLAYER), "--workflow", ".github/workflows/rollback.yml",
                             "--workspace", str(clone), "--state", str(tmp_path / "s"), "--dispatch",
                             "--input", "environment=qa", "--input", "method=ssh"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "not one of" in result.stderr


def test_an_environment_with_reviewers_waits_for_their_approval(clone, tmp_path):
    (clone / "wf.yml").write_text(
        "on: {workflow_dispatch: {}}\n"
        "jobs:\n"
        "  ship:\n"
        "    environment: production\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - name: Ship\n"
        "        run: echo shipped >\"$RUNNER_TEMP/shipped\"\n")
    (tmp_path / "vars.json").write_text(json.dumps({"reviewers": {"production": ["release managers"]}}))

    def play(*extra):
        return subprocess.run([sys.executable, str(PLAYER), "--workflow", "wf.yml", "--workspace", str(clone),
                               "--state", str(tmp_path / "s"), "--dispatch", "--vars", str(tmp_path / "vars.json"),
                               *extra], capture_output=True, text=True)
    refused = play()
    assert refused.returncode != 0 and "was not approved" in refused.stderr
    assert not (tmp_path / "s" / "tmp" / "shipped").exists()
    approved = play("--approve", "production")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert (tmp_path / "s" / "tmp" / "shipped").exists()


def test_a_reusable_workflow_is_played_with_its_inputs(clone, tmp_path):
    (clone / "called.yml").write_text(
        "on: {workflow_call: {inputs: {environment: {required: true, type: string}}}}\n"
        "jobs:\n"
        "  roll:\n"
        "    environment: ${{ inputs.environment }}\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - name: Roll\n"
        "        env: {TARGET: '${{ inputs.environment }}'}\n"
        "        run: echo \"$TARGET\" >>\"$RUNNER_TEMP/rolled\"\n")

    def play(with_block):
        (clone / "caller.yml").write_text(
            "on: {workflow_dispatch: {}}\n"
            "jobs:\n"
            "  first:\n"
            "    uses: ./called.yml\n"
            f"    with: {with_block}\n"
            "  second:\n"
            "    needs: first\n"
            "    uses: ./called.yml\n"
            "    with: {environment: production}\n")
        (tmp_path / "vars.json").write_text(json.dumps({"reviewers": {"production": ["release managers"]}}))
        return subprocess.run([sys.executable, str(PLAYER), "--workflow", "caller.yml", "--workspace", str(clone),
                               "--state", str(tmp_path / "s"), "--dispatch", "--vars", str(tmp_path / "vars.json")],
                              capture_output=True, text=True)
    refused = play("{environment: staging}")
    assert refused.returncode != 0
    assert "FAILED at " + "caller.yml / second / roll: environment production was not approved" in refused.stderr, refused.stderr
    assert (tmp_path / "s" / "tmp" / "rolled").read_text() == "staging\n"
    unknown = play("{environment: staging, colour: blue}")
    assert unknown.returncode != 0 and "declares no inputs ['colour']" in unknown.stderr


def test_one_job_is_played_with_its_needs_given(clone, tmp_path):
    (clone / "wf.yml").write_text(
        "on: {workflow_dispatch: {}}\n"
        "jobs:\n"
        "  build: {runs-on: ubuntu-24.04, outputs: {version: x}, steps: [{run: 'false'}]}\n"
        "  check: {runs-on: ubuntu-24.04, steps: [{run: 'false'}]}\n"
        "  ship:\n"
        "    needs: [build, check]\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - env: {VERSION: '${{ needs.build.outputs.version }}'}\n"
        "        run: echo \"$VERSION\" >\"$RUNNER_TEMP/shipped\"\n")

    def play(*needs):
        return subprocess.run([sys.executable, str(PLAYER), "--workflow", "wf.yml", "--workspace", str(clone),
                               "--state", str(tmp_path / "s"), "--dispatch", "--job", "ship", *needs],
                              capture_output=True, text=True)
    # A need that did not succeed skips the job, as on GitHub.
    without_check = play("--needs-output", "build.version=1.2.3")
    assert "ship: its if: is false" in without_check.stdout and not (tmp_path / "s" / "tmp" / "shipped").exists()
    played = play("--needs-output", "build.version=1.2.3", "--needs-succeeded", "check")
    assert played.returncode == 0, played.stdout + played.stderr
    assert (tmp_path / "s" / "tmp" / "shipped").read_text() == "1.2.3\n"
