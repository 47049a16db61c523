"""axe-core in Playwright: the vendored tests/assets/axe.min.js (see tests/assets/README.md) run in a
page, and its serious and critical violations described so a failure names the rule, the element
and the fix axe suggests."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now; return its serious and critical violations."""
    return [v for v in axe_all(page) if v["impact"] in BLOCKING]


def axe_all(page) -> list[dict]:
    """Run axe on the page as it is now; return every violation (any impact)."""
    # evaluate() goes through the DevTools protocol, which the page's Content-Security-Policy
    # (script-src 'self', no eval) does not govern, so axe runs without loosening the policy.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }"""
    )
    return result


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['summary']}".replace("\n", " "))
    return "\n".join(lines)
