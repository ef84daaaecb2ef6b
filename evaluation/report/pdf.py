"""PDF conversion through LibreOffice, with the 目录 filled in (UNO route: update indexes, then export).

Each run gets its own LibreOffice profile folder, so parallel conversions never share one. Chinese
font names used by official documents (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体) are
aliased to the Noto CJK fonts through a private fontconfig file when those fonts are absent.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from evaluation.errors import WorkbenchError

SCRIPT = Path(__file__).with_name("lo_update.py")
SYSTEM_PYTHON = "/usr/bin/python3"
_ALIASES = {
    "仿宋_GB2312": "Noto Serif CJK SC",
    "仿宋": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC",
    "宋体": "Noto Serif CJK SC",
    "楷体_GB2312": "Noto Serif CJK SC",
    "楷体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
}


class PdfUnavailable(WorkbenchError):
    """LibreOffice (soffice) or its Python bindings are not installed."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def can_convert() -> bool:
    if soffice_path() is None or not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


def _fontconfig(folder: Path) -> Path:
    aliases = "\n".join(
        f'  <alias binding="same"><family>{name}</family><prefer><family>{target}</family></prefer></alias>'
        for name, target in _ALIASES.items()
    )
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{aliases}\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def docx_to_pdf(docx: bytes, *, timeout: float = 180, updated_docx: Path | None = None) -> bytes:
    """Convert .docx bytes to PDF bytes with every index and field updated.

    LibreOffice now and then dies while it starts or converts (seen about once in a few hundred
    conversions on a busy machine: no PDF and nothing on stderr), so a failed conversion is tried
    once more with a fresh soffice before the error is reported.
    """
    soffice = soffice_path()
    if soffice is None or not can_convert():
        raise PdfUnavailable("未安装 LibreOffice（soffice）及其 Python 组件（python3-uno），无法生成 PDF")
    failures: list[str] = []
    for _attempt in range(2):
        # a file LibreOffice's last process was still writing never turns the conversion's result into an OSError
        with tempfile.TemporaryDirectory(prefix="wb_pdf_", ignore_cleanup_errors=True) as tmp:
            result = _convert_once(soffice, Path(tmp), docx, timeout=timeout, updated_docx=updated_docx)
            if isinstance(result, bytes):
                return result
            failures.append(result)
    raise WorkbenchError("LibreOffice 转换 PDF 失败（已重试一次）：" + "；".join(failures))


def _convert_once(soffice: str, folder: Path, docx: bytes, *, timeout: float, updated_docx: Path | None) -> bytes | str:
    """One conversion with its own soffice; the PDF's bytes, or what went wrong."""
    src = folder / "report.docx"
    src.write_bytes(docx)
    pdf = folder / "report.pdf"
    out_docx = folder / "updated.docx"
    pipe = f"wb_{uuid.uuid4().hex}"
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(folder)), "HOME": str(folder)}
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # soffice starts soffice.bin: stopping it must stop the whole group
    )
    try:
        try:
            run = subprocess.run(
                [SYSTEM_PYTHON, str(SCRIPT), pipe, str(src), str(pdf), str(out_docx)],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
            )
        except subprocess.TimeoutExpired:
            _stop(office)
            return f"超过 {timeout:g} 秒未完成"
        if run.returncode != 0 or not pdf.exists():
            office_code = office.poll()
            office_state = "仍在运行" if office_code is None else f"已退出（{office_code}）"
            detail = run.stderr.strip()[-500:] or "无输出"
            _stop(office)
            return f"转换进程退出码 {run.returncode}，soffice {office_state}，{detail}"
        if updated_docx is not None:
            shutil.copyfile(out_docx, updated_docx)
        return pdf.read_bytes()
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _stop(office)


def _stop(office: subprocess.Popen[bytes]) -> None:
    """Kill soffice and every process it started (its own session), and reap it."""
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(office.pid, signal.SIGKILL)
    office.wait()
