"""The React front end of the three rich specs (testbed/rich_specs.py: choices, money, web addresses,
many-to-many links, private records, due dates, summaries): it lints, builds and passes its own
tests, axe-core's included; and, built, in Chromium at a phone's width, no page scrolls sideways
and axe-core (colour contrast included, which jsdom cannot judge) finds nothing serious. Specs
drawn at random type-check and pass their own tests too (their lint: test_generated_formatting)."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from playwright.sync_api import sync_playwright

from agents.generators.naming import kebab
from agents.openapi import summary_path
from agents.stacks import get_stack
from agents.stacks.react import stored, summary_rows
from testbed.rich_specs import RICH_SPECS, rich_spec
from tests.node_projects import sh, share, write
from tests.strategies import specs

pytestmark = pytest.mark.slow

REACT = get_stack("react")
AXE_TEST = "has no serious or critical axe-core violations"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def built(node_modules, tmp_path_factory):
    """`get(name)`: the rich spec's front end written, with its dependencies; built once per spec."""
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            root = tmp_path_factory.mktemp(name)
            write(root, REACT.files(rich_spec(name), []))
            done[name] = root / REACT.root
            # Hard links: Vite and Vitest resolve modules from their real paths.
            share(node_modules(REACT, scripts=True), done[name], link=True)
        return done[name]

    return get


@pytest.mark.parametrize("name", list(RICH_SPECS))
def test_the_rich_front_end_lints_builds_and_passes_its_own_tests_with_axe(name, built):
    spec = rich_spec(name)
    frontend = built(name)
    sh(frontend, "npm", "run", "lint")
    sh(frontend, "npm", "run", "build")
    assert (frontend / "dist" / "index.html").exists()
    report = sh(frontend, "npm", "test", "--", "--reporter=verbose")
    # One axe-core check per entity page and per summary page, each passed.
    passed = [line for line in report.splitlines() if AXE_TEST in line and "✓" in line]
    assert len(passed) == len(spec.entities) + len(spec.summaries), report[-4000:]
    assert re.search(r"Tests\s+\d+ passed", report) and " failed" not in report


@settings(
    max_examples=2,
    deadline=None,
    phases=(Phase.generate,),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=specs(max_entities=5))
def test_any_drawn_front_end_typechecks_and_passes_its_own_tests(spec, node_modules, tmp_path_factory):
    root = tmp_path_factory.mktemp("drawn")
    write(root, REACT.files(spec, []))
    frontend = root / REACT.root
    share(node_modules(REACT, scripts=True), frontend, link=True)
    sh(frontend, "npx", "tsc", "--noEmit")
    report = sh(frontend, "npm", "test", "--", "--reporter=verbose")
    assert report.count(AXE_TEST) == len(spec.entities) + len(spec.summaries), report[-4000:]


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _fake_api(name: str):
    """Answers the page's API requests in the browser: two records per list (so the narrow layout
    shows its cards), each summary's sample rows, and a token for logging in."""
    spec = rich_spec(name)
    backend = get_stack(spec.stack.backend)
    lists = {backend.api_path(e): [stored(e, 1), stored(e, 2)] for e in spec.entities}
    summaries = {summary_path(s): summary_rows(spec, s) for s in spec.summaries}

    def answer(route):
        path = route.request.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        body = lists.get(f"/{path}", summaries.get(f"/{path}", []))
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    return answer


@pytest.mark.browser
@pytest.mark.parametrize("name", list(RICH_SPECS))
def test_every_built_page_fits_a_phone_and_axe_finds_nothing_serious_in_chromium(name, built, node_modules):
    spec = rich_spec(name)
    frontend = built(name)
    if not (frontend / "dist" / "index.html").exists():
        sh(frontend, "npm", "run", "build")
    axe = node_modules(REACT, scripts=True) / "axe-core" / "axe.min.js"
    hashes = [kebab(e.plural) for e in spec.entities] + [f"summaries/{kebab(s.name)}" for s in spec.summaries]
    server, url = _serve(frontend / "dist")
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=PHONE)
            page.route("**/api/**", _fake_api(name))
            # Logged in, so that private records and summaries show their rows too.
            page.add_init_script("localStorage.setItem('token', 'test-token')")
            for where in hashes:
                page.goto(f"{url}/#/{where}")
                page.wait_for_selector("h2#page-title")
                page.wait_for_load_state("networkidle")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems.append(f"#/{where} is {width}px wide")
                page.add_script_tag(path=str(axe))
                found = page.evaluate("""async () => (await axe.run(document)).violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""")
                problems += [f"#/{where} {violation}" for violation in found]
            browser.close()
    finally:
        server.shutdown()
    assert not problems, "\n".join(problems)
