import axe from "axe-core";

/** The serious and critical accessibility problems axe-core finds under `root`, in words.
 * color-contrast is off: jsdom lays nothing out and computes no colours, so axe cannot judge it. */
export async function seriousViolations(root: Element): Promise<string[]> {
  const results = await axe.run(root, {
    resultTypes: ["violations"],
    rules: { "color-contrast": { enabled: false } },
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}
