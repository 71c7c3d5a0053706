"""Prints what pip's own parser reads from each case of TestPipLineSplitting.

Run: python3 lockfiles/requirements/testdata/pip_lines.py (needs pip; the
test's table was recorded with pip 23.2.1). Nothing here is run by the tests.
"""
import json, os, sys, tempfile

from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements

CASES = json.load(open(os.path.join(os.path.dirname(__file__), "pip_lines.json")))

session = PipSession()
out = {}
for name, text in CASES.items():
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
        f.write(text.encode("utf-8"))
    try:
        out[name] = sorted(r.requirement for r in parse_requirements(f.name, session=session))
    except Exception as e:  # pip rejects the file
        out[name] = "error: " + type(e).__name__
    finally:
        os.unlink(f.name)
print("pip", __import__("pip").__version__, file=sys.stderr)
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
