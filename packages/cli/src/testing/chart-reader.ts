// Test helper: reads a chart's SVG back into data, through each panel's scales.

import { DOMParser } from "linkedom";

/** One drawn point mapped back to data: time (epoch ms) and value. */
export interface ReadPoint {
  t: number;
  value: number;
}

export interface ReadPanel {
  label: string;
  /** The mean line, one array per unbroken stretch. */
  line: ReadPoint[][];
  /** How many unbroken stretches the min/max band has. */
  bandStretches: number;
  /** The value a pixel spans on the y axis: the precision to compare with. */
  valuePerPixel: number;
}

/** Every panel of a chart written by pond plot, with its line's points in data units. */
export function readChartSvg(svg: string): ReadPanel[] {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const panels = [...doc.querySelectorAll("svg[data-label]")];
  return panels.map((panel) => {
    const scale = (axis: "x" | "y") => {
      const [d0, d1] = (panel.getAttribute(`data-${axis}-domain`) ?? "").split(",").map(Number);
      const [r0, r1] = (panel.getAttribute(`data-${axis}-range`) ?? "").split(",").map(Number);
      const k = ((d1 as number) - (d0 as number)) / ((r1 as number) - (r0 as number));
      return { invert: (px: number) => (d0 as number) + (px - (r0 as number)) * k, k: Math.abs(k) };
    };
    const x = scale("x");
    const y = scale("y");
    const line = panel.querySelector('g[aria-label="line"] path')?.getAttribute("d") ?? "";
    const area = panel.querySelector('g[aria-label="area"] path')?.getAttribute("d") ?? "";
    return {
      label: panel.getAttribute("data-label") ?? "",
      line: stretches(line).map((points) =>
        points.map(([px, py]) => ({ t: x.invert(px), value: y.invert(py) })),
      ),
      bandStretches: stretches(area).length,
      valuePerPixel: y.k,
    };
  });
}

/** The absolute points of an SVG path of M, L and Z commands, split at each M. */
function stretches(d: string): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  for (const [, command, args] of d.matchAll(/([MLZ])([^MLZ]*)/g)) {
    if (command === "Z") continue;
    const numbers = (args ?? "").split(/[ ,]+/).filter(Boolean).map(Number);
    if (command === "M") out.push([]);
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      out.at(-1)?.push([numbers[i] as number, numbers[i + 1] as number]);
    }
  }
  return out;
}
