#!/usr/bin/env python3
"""Checks the LMS packages scripts/package.py wrote (`check_package.py DIR`), structurally —
no SCORM 1.2 schema is published on a package registry:

- nnplay-scorm.zip: `imsmanifest.xml` at the root, in IMS Content Packaging 1.1.2's and ADL
  SCORM 1.2's namespaces, schemaversion 1.2; a default organization that exists; every item's
  identifierref naming a resource; the SCO's launch file and every <file> in the zip, and every
  file of the zip but the manifest listed; identifiers unique; no absolute or parent paths.
- nnplay-web.zip: the same files, `index.html` at the root.
- Both: no file refers to another host (the page runs offline inside an LMS).
"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"


def fail(msg):
    sys.exit(f"FAIL {msg}")


def check_manifest(z):
    names = set(z.namelist())
    if "imsmanifest.xml" not in names:
        fail("nnplay-scorm.zip has no imsmanifest.xml at its root")
    root = ET.fromstring(z.read("imsmanifest.xml"))
    if root.tag != f"{CP}manifest":
        fail(f"the manifest's root is {root.tag}, not IMS CP 1.1.2's manifest")
    meta = root.find(f"{CP}metadata")
    if meta is None or meta.findtext(f"{CP}schema") != "ADL SCORM" or meta.findtext(f"{CP}schemaversion") != "1.2":
        fail("the manifest's metadata must say schema ADL SCORM, schemaversion 1.2")
    ids = [e.get("identifier") for e in root.iter() if e.get("identifier") is not None]
    if len(ids) != len(set(ids)):
        fail(f"identifiers repeat: {ids}")
    orgs = root.find(f"{CP}organizations")
    default = orgs.get("default")
    org_ids = [o.get("identifier") for o in orgs.findall(f"{CP}organization")]
    if default not in org_ids:
        fail(f"the default organization {default!r} is not one of {org_ids}")
    resources = {r.get("identifier"): r for r in root.find(f"{CP}resources").findall(f"{CP}resource")}
    items = list(orgs.iter(f"{CP}item"))
    if not items:
        fail("the organization has no item")
    for item in items:
        if item.findtext(f"{CP}title", "").strip() == "":
            fail(f"item {item.get('identifier')} has no title")
        ref = item.get("identifierref")
        if ref not in resources:
            fail(f"item {item.get('identifier')} refers to {ref!r}, which is not a resource")
    listed = set()
    for r in resources.values():
        if r.get(f"{ADLCP}scormtype") not in ("sco", "asset"):
            fail(f"resource {r.get('identifier')} has adlcp:scormtype {r.get(f'{ADLCP}scormtype')!r}")
        if r.get("type") != "webcontent":
            fail(f"resource {r.get('identifier')} has type {r.get('type')!r}")
        href = r.get("href")
        if href not in names:
            fail(f"resource {r.get('identifier')} launches {href!r}, which the zip does not hold")
        for f in r.findall(f"{CP}file"):
            h = f.get("href")
            if h.startswith("/") or ".." in h.split("/") or re.match(r"^[a-z]+:", h):
                fail(f"file {h!r} is not a path inside the package")
            if h not in names:
                fail(f"the manifest lists {h!r}, which the zip does not hold")
            listed.add(h)
    unlisted = names - listed - {"imsmanifest.xml"}
    if unlisted:
        fail(f"files in the zip the manifest does not list: {sorted(unlisted)[:5]}")
    return names - {"imsmanifest.xml"}


def offline(z):
    """No page file loads anything from another host (links written in text are fine)."""
    pattern = re.compile(rb"""(?:src|href)\s*=\s*["']https?://|(?:fetch|import)\(\s*["']https?://|url\(\s*["']?https?://""")
    for name in z.namelist():
        if name.endswith((".html", ".js", ".css")) and pattern.search(z.read(name)):
            fail(f"{name} loads something from another host")


def main(folder):
    with zipfile.ZipFile(f"{folder}/nnplay-scorm.zip") as scorm, zipfile.ZipFile(f"{folder}/nnplay-web.zip") as web:
        files = check_manifest(scorm)
        if set(web.namelist()) != files:
            fail("nnplay-web.zip does not hold the same files as the SCORM package")
        if "index.html" not in files:
            fail("no index.html at the root")
        offline(scorm)
    print(f"pass  SCORM 1.2 package and web zip: {len(files)} files, manifest consistent, nothing fetched from another host")


if __name__ == "__main__":
    main(sys.argv[1])
