"""Run with the system Python that has LibreOffice's UNO bindings (python3-uno), not the venv:

    /usr/bin/python3 lo_update.py PIPE_NAME IN.docx OUT.pdf [OUT.docx]

Loads the document in a running soffice (listening on the named pipe), updates every index
(the 目录) and field so page numbers are filled in, then stores a PDF (and optionally the updated
.docx). Kept tiny and free of project imports on purpose.
"""

import contextlib
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main() -> int:
    pipe, src, pdf = sys.argv[1], sys.argv[2], sys.argv[3]
    out_docx = sys.argv[4] if len(sys.argv) > 4 else None
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:  # soffice not listening yet
            time.sleep(0.25)
    if ctx is None:
        print("无法连接 LibreOffice", file=sys.stderr)
        return 2
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    try:
        for _ in range(2):  # second pass: page numbers settle after the TOC itself takes space
            indexes = doc.getDocumentIndexes()
            for i in range(indexes.getCount()):
                indexes.getByIndex(i).update()
            doc.getTextFields().refresh()
            doc.refresh()
        doc.storeToURL(uno.systemPathToFileUrl(pdf), (prop("FilterName", "writer_pdf_Export"),))
        if out_docx:
            doc.storeToURL(uno.systemPathToFileUrl(out_docx), (prop("FilterName", "MS Word 2007 XML"),))
    finally:
        doc.close(True)
        with contextlib.suppress(Exception):  # soffice exits while answering
            desktop.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
