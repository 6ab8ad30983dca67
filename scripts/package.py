#!/usr/bin/env python3
"""The LMS packages of a built page (`./dev.sh package`):

    package.py [--dist DIR] [--out DIR]

writes OUT/nnplay-scorm.zip — the page with a SCORM 1.2 `imsmanifest.xml` at its root, one
SCO that opens the course deck (`#view=course`), for Moodle's SCORM activity and other LMSs —
and OUT/nnplay-web.zip, the page alone with `index.html` at its root, for platforms that show
an uploaded site in an iframe. Both hold the offline page: nothing in it fetches from another
host. Entries are sorted and dated 1980-01-01, so the same dist/ gives the same bytes.
"""
import argparse
import os
import sys
import zipfile
from xml.sax.saxutils import quoteattr

EPOCH = (1980, 1, 1, 0, 0, 0)
TITLE = "nnplay — 卷积与循环神经网络 (pytorch 卷积神经网络CNN / 循环神经网络RNN)"


def files_of(dist):
    """Every file under `dist`, as paths relative to it with forward slashes, sorted."""
    out = []
    for root, _, names in os.walk(dist):
        for name in names:
            out.append(os.path.relpath(os.path.join(root, name), dist).replace(os.sep, "/"))
    return sorted(out)


def manifest(files):
    """SCORM 1.2's content package manifest: one organization, one SCO listing every file."""
    listed = "\n".join(f"      <file href={quoteattr(f)}/>" for f in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="nnplay" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="nnplay-org">
    <organization identifier="nnplay-org">
      <title>{TITLE}</title>
      <item identifier="item-course" identifierref="res-nnplay" isvisible="true" parameters="#view=course">
        <title>{TITLE}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-nnplay" type="webcontent" adlcp:scormtype="sco" href="index.html">
{listed}
    </resource>
  </resources>
</manifest>
"""


def write_zip(path, dist, files, extra=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        entries = [(f, None) for f in files] + sorted((extra or {}).items())
        for name, text in sorted(entries):
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if text is None:
                with open(os.path.join(dist, name), "rb") as f:
                    z.writestr(info, f.read())
            else:
                z.writestr(info, text.encode("utf-8"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--out", default=os.path.join("target", "package"))
    a = ap.parse_args()
    files = files_of(a.dist)
    if "index.html" not in files:
        sys.exit(f"{a.dist} has no index.html: build the page first (./dev.sh build)")
    os.makedirs(a.out, exist_ok=True)
    write_zip(os.path.join(a.out, "nnplay-scorm.zip"), a.dist, files, {"imsmanifest.xml": manifest(files)})
    write_zip(os.path.join(a.out, "nnplay-web.zip"), a.dist, files)
    for name in ("nnplay-scorm.zip", "nnplay-web.zip"):
        p = os.path.join(a.out, name)
        print(f"wrote {p} ({os.path.getsize(p)} bytes, {len(files)} files of {a.dist})")


if __name__ == "__main__":
    main()
