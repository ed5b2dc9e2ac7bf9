"""`takedown hash`, `takedown match` and `takedown bank`, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import ImageOps

from .conftest import picture


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_hash_prints_one_object_per_file_and_goes_on(cli, media_dir: Path) -> None:
    names = [
        "one.png",
        "empty.jpg",
        "notes.txt",
        "truncated.jpg",
        "bomb.png",
        "clip.mp4",
        "broken.mp4",
    ]
    code, out, err = cli("hash", *[media_dir / n for n in names], "--json", "--workers", "1")
    assert code == 0 and "Traceback" not in err
    rows = lines(out)
    assert [Path(r["path"]).name for r in rows] == names
    assert [r["ok"] for r in rows] == [True, False, False, False, False, True, False]
    image, video = rows[0], rows[5]
    assert {"path", "ok", "media", "sha256", "md5", "pdq", "pdq_quality"} <= image.keys()
    assert video["media"] == "video" and len(video["frames"]) == 3
    assert all(set(r) >= {"path", "ok", "error"} for r in rows if not r["ok"])


def test_bank_lifecycle_and_match(cli, tmp_path: Path, settings_env: Path) -> None:
    assert cli("init")[0] == 0
    known = picture(31)
    known.save(tmp_path / "known.png")
    _, out, _ = cli("hash", tmp_path / "known.png", "--json")
    pdq = lines(out)[0]["pdq"]
    hashlist = tmp_path / "list.csv"
    hashlist.write_text(
        "signal_type,value,entity,tier,tags\n"
        f"pdq,{pdq},Invented Group,1,video;logo\n"
        "pdq,nothex,,,\n"
        f"md5,{'0' * 32},,,\n"
    )
    assert cli("bank", "create", "known", "--dihedral", "--json")[0] == 0
    code, out, err = cli("bank", "import", "known", hashlist, "--format", "csv", "--json")
    assert code == 0, err
    result = lines(out)[0]
    assert (result["added"], result["rejected"]) == (2, 1)
    assert "line 3" in result["errors"][0]["where"]
    # again: nothing new
    code, out, _ = cli("bank", "import", "known", hashlist, "--format", "csv", "--json")
    assert lines(out)[0]["duplicates"] == 2

    ImageOps.mirror(known).save(tmp_path / "mirrored.png")
    picture(32).save(tmp_path / "other.png")
    code, out, _ = cli(
        "match",
        tmp_path / "mirrored.png",
        tmp_path / "other.png",
        tmp_path / "nope.png",
        "--bank",
        "known",
        "--json",
        "--workers",
        "1",
    )
    mirrored, other, missing = lines(out)
    [m] = mirrored["matches"]
    assert m["bank"] == "known" and m["signal_type"] == "pdq" and m["distance"] <= 31
    assert m["labels"]["entity"] == "Invented Group" and m["variant"] != "original"
    assert other["matches"] == [] and missing["ok"] is False

    code, out, _ = cli("bank", "list", "--json")
    assert lines(out)[0].items() >= {"name": "known", "entries": 2, "dihedral": True}.items()
    code, out, _ = cli("bank", "stats", "known")
    stats = lines(out)[0]
    assert stats["by_type"] == {"md5": 1, "pdq": 1}
    assert stats["by_entity"]["Invented Group"] == 1

    for fmt in ("te", "tcap", "csv"):
        code, out, err = cli("bank", "export", "known", "--format", fmt)
        assert code == 0 and pdq in out
    code, out, _ = cli("bank", "export", "known", "--format", "te")
    assert out.splitlines() == [f"pdq {pdq}", f"video_md5 {'0' * 32}"]


def test_negative_bank_suppresses(cli, tmp_path: Path) -> None:
    cli("init")
    picture(41).save(tmp_path / "benign.png")
    pdq = lines(cli("hash", tmp_path / "benign.png", "--json")[1])[0]["pdq"]
    (tmp_path / "list.te").write_text(f"pdq {pdq}\n")
    for name, flags in (("bad", []), ("fp", ["--negative"])):
        cli("bank", "create", name, *flags)
        cli("bank", "import", name, tmp_path / "list.te", "--format", "te")
    rows = lines(cli("match", tmp_path / "benign.png", "--json")[1])
    by_bank = {m["bank"]: m for m in rows[0]["matches"]}
    assert by_bank["bad"]["suppressed"] is True and "suppressed" not in by_bank["fp"]


def test_user_mistakes_are_one_line(cli, tmp_path: Path) -> None:
    cli("init")
    code, _, err = cli("bank", "import", "ghost", tmp_path / "x.csv", "--format", "csv")
    assert code == 2 and err.startswith("error:") and "Traceback" not in err
    cli("bank", "create", "b1")
    code, _, err = cli("bank", "create", "b1")
    assert code == 2 and "already exists" in err
    code, _, err = cli("bank", "create", "b2", "--threshold", "40")
    assert code == 2 and "0..31" in err
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    code, _, err = cli("bank", "import", "b1", tmp_path / "x.csv", "--format", "xml")
    assert code == 2 and "format 'xml'" in err and "tcap" in err
    code, _, err = cli("match", tmp_path / "x.csv", "--bank", "ghost")
    assert code == 2 and "ghost" in err
