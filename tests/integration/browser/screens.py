"""Regenerate docs/screens/: `python -m tests.integration.browser.screens` runs the screens test with the
whole stack (Temporal dev server, PostgreSQL, worker, API) and writes each screen at tablet and phone size."""

import os
import sys

import pytest

if __name__ == "__main__":
    os.environ["OMS_SCREENS"] = "1"
    here = os.path.dirname(__file__)
    tests = [f"{here}/test_screens.py", f"{here}/test_customer_screens.py", f"{here}/test_ops_dashboard.py"]
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *tests]))
