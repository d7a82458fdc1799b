"""The benchmark's ``pipelines`` corpus (``bench/sdk_pipelines.py``): built from a local git
directory and from a shallow, sparse fetch, the same tree; skipped with one line when the
repository cannot be reached. A small repository shaped like aws/amazon-sagemaker-examples
(top-level names with leading spaces) stands in for the pinned one."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest

from tests.conftest import REPO

ARCHIVED_PROJECT = " archived/demo/template-project"
OWN_DIRECTORY = "   ml_ops/sm-own/sm-own.ipynb"
TOP_LEVEL = "   ml_ops/sm-top.ipynb"


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_sdk_pipelines", REPO / "bench" / "sdk_pipelines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _git(*arguments, cwd):
    subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, timeout=60)


def _notebook(cells: list) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": source} for source in cells]})


@pytest.fixture
def examples(tmp_path, monkeypatch):
    """(the corpus module pointed at a small examples repository, that repository)."""
    repository = tmp_path / "examples"
    files = {
        f"{ARCHIVED_PROJECT}/pipelines/pipeline.py": "from sagemaker.workflow.pipeline import Pipeline\n",
        f"{ARCHIVED_PROJECT}/setup.cfg": "[metadata]\n",
        " archived/demo/unrelated.py": "x = 1\n",
        OWN_DIRECTORY: _notebook(["import sagemaker.workflow\n", "%%writefile code/train.py\nprint('train')\n"]),
        "   ml_ops/sm-own/helper.py": "HELP = 1\n",
        "   ml_ops/sm-own/other.ipynb": _notebook(["x = 2\n"]),
        TOP_LEVEL: _notebook(["!pip install sagemaker\nimport sagemaker.workflow\n"]),
        "   ml_ops/sm-unpinned.ipynb": _notebook(["import sagemaker.workflow\n"]),
    }
    for path, text in files.items():
        (repository / path).parent.mkdir(parents=True, exist_ok=True)
        (repository / path).write_text(text, encoding="utf-8")
    _git("init", "-q", cwd=repository)
    _git("add", "-A", cwd=repository)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "examples", cwd=repository)
    # what GitHub allows: blob filters and fetching a commit by its id
    _git("config", "uploadpack.allowFilter", "true", cwd=repository)
    _git("config", "uploadpack.allowAnySHA1InWant", "true", cwd=repository)
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repository, check=True, capture_output=True,
                              text=True).stdout.strip()
    corpus = _corpus_module()
    monkeypatch.setattr(corpus, "EXAMPLES_REVISION", revision)
    monkeypatch.setattr(corpus, "EXAMPLES_REPOSITORY", repository.as_uri())
    monkeypatch.setattr(corpus, "PROJECTS", (("template-project", ARCHIVED_PROJECT), ("sm-own", OWN_DIRECTORY),
                                             ("sm-top", TOP_LEVEL)))
    return corpus, repository


def _files(root) -> dict:
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in sorted(root.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(root).parts}


def test_the_corpus_from_a_git_directory_and_from_a_sparse_fetch_is_the_same_tree(examples, tmp_path,
                                                                                     monkeypatch):
    corpus, repository = examples
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "from-git-dir"))
    from_git_dir = corpus.pipelines_tree(repository / ".git")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fetched"))
    fetched = corpus.pipelines_tree(None)

    assert from_git_dir is not None and fetched is not None
    assert from_git_dir.name == fetched.name == f"sdk-pipelines-{corpus.EXAMPLES_REVISION[:8]}"
    files = _files(from_git_dir)
    assert files == _files(fetched)
    assert sorted(files) == ["sm-own/code/train.py", "sm-own/helper.py", "sm-own/pipeline.py", "sm-top/pipeline.py",
                             "template-project/pipelines/pipeline.py", "template-project/setup.cfg"]
    assert "import sagemaker.workflow" in files["sm-own/pipeline.py"]
    assert files["sm-top/pipeline.py"].startswith("# !pip install sagemaker")
    for project in ("template-project", "sm-own", "sm-top"):
        assert (from_git_dir / project / ".git").is_dir() and (fetched / project / ".git").is_dir()


def test_a_built_corpus_is_reused(examples, tmp_path, monkeypatch):
    corpus, repository = examples
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = corpus.pipelines_tree(repository / ".git")
    marker = tree / "sm-top" / "edited.py"
    marker.write_text("x = 1\n", encoding="utf-8")

    assert corpus.pipelines_tree(None) == tree
    assert marker.exists()


def test_an_unreachable_repository_skips_the_corpus_with_one_line(examples, tmp_path, monkeypatch, capsys):
    corpus, _ = examples
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(corpus, "EXAMPLES_REPOSITORY", (tmp_path / "no-such-repository").as_uri())

    assert corpus.pipelines_tree(None) is None
    assert corpus.pipelines_tree(tmp_path / "no-such-git-dir") is None
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("pipelines corpus skipped: git fetch failed")
    assert lines[1].startswith("pipelines corpus skipped: git archive in")
    assert list((tmp_path / "cache" / "steplint-bench").iterdir()) == []


def test_the_pinned_projects_have_distinct_names_and_are_all_fetched():
    corpus = _corpus_module()
    names = [name for name, _ in corpus.PROJECTS]
    assert len(names) == len(set(names)) == 24
    patterns = corpus.sparse_patterns(corpus.repository_paths()).splitlines()
    for _, path in corpus.PROJECTS:
        assert any(f"/{path}" == pattern or f"/{path}/".startswith(pattern) and pattern.endswith("/")
                   for pattern in patterns), path
    assert corpus.PRE_COMMIT_FILE.split("/")[0] in names
    with pytest.raises(ValueError):
        corpus.sparse_patterns(["   ml_ops/a*b"])
